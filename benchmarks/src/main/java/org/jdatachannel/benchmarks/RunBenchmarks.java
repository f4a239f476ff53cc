package org.jdatachannel.benchmarks;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks of this module. Arguments: JMH's own command line (as for
 * {@code org.openjdk.jmh.Main}): regular expressions selecting benchmarks (default: every class
 * named {@code *Benchmark}) and options such as {@code -prof gc} (allocation per operation),
 * {@code -p size=1191} (parameter values), {@code -f 1 -wi 3 -i 5} (forks, iterations),
 * {@code -rf json -rff FILE} (result file); {@code -h} lists them. Run with
 * {@code mvn -B -o -q -pl benchmarks -am package -DskipTests}, then
 * {@code java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" org.jdatachannel.benchmarks.RunBenchmarks [regex] [options]}.
 */
public final class RunBenchmarks {
    /** Selection when no regular expression is given. */
    static final String DEFAULT_INCLUDE = ".*Benchmark.*";

    private RunBenchmarks() {}

    /**
     * @param args JMH command line, see the class comment
     * @return the options to run
     * @throws CommandLineOptionException if JMH does not understand the arguments
     */
    static Options options(String... args) throws CommandLineOptionException {
        CommandLineOptions cmd = new CommandLineOptions(args);
        OptionsBuilder b = new OptionsBuilder();
        if (cmd.getIncludes().isEmpty()) {
            b.include(DEFAULT_INCLUDE);
        }
        return b.parent(cmd).build();
    }

    /**
     * @param args JMH command line, see the class comment
     * @throws RunnerException if JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        Options options;
        try {
            options = options(args);
        } catch (CommandLineOptionException e) {
            System.err.println("RunBenchmarks: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            try {
                new CommandLineOptions(args).showHelp();
            } catch (CommandLineOptionException | java.io.IOException e) {
                System.err.println("RunBenchmarks: " + e.getMessage());
            }
            return;
        }
        new Runner(options).run();
    }
}
