package org.jdatachannel.benchmarks;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks of this module. Arguments: an optional regular expression selecting
 * benchmarks (default: all). Run with
 * {@code mvn -B -o -q -pl benchmarks -am package -DskipTests}, then
 * {@code java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" org.jdatachannel.benchmarks.RunBenchmarks}.
 */
public final class RunBenchmarks {
  private RunBenchmarks() {}

  public static void main(String[] args) throws RunnerException {
    String include = args.length > 0 ? args[0] : ".*Benchmark.*";
    new Runner(new OptionsBuilder().include(include).build()).run();
  }
}
