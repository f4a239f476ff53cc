package org.jdatachannel.benchmarks;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32c (RFC 9260 Appendix B) over SCTP packet sizes, through {@link java.util.zip.CRC32C} as
 * the {@code sctp} module uses it. 200 B is a SACK-sized packet, 1191 B a full packet at the
 * default MTU, 16 KiB an upper bound for one DTLS record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class Crc32cBenchmark {
  @Param({"200", "1191", "16384"})
  public int size;

  private ByteBuffer packet;

  @Setup
  public void setUp() {
    byte[] bytes = new byte[size];
    new SplittableRandom(1).nextBytes(bytes);
    packet = ByteBuffer.wrap(bytes);
  }

  @Benchmark
  public long crc32c() {
    CRC32C crc = new CRC32C();
    crc.update(packet.duplicate());
    return crc.getValue();
  }
}
