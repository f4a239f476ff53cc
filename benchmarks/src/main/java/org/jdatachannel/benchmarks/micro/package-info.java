/**
 * JMH micro-benchmarks of the protocol cores, one class per item of issue 6: SCTP packet
 * parse/serialize ({@link org.jdatachannel.benchmarks.micro.SctpPacketBenchmark}), reassembly
 * ({@link org.jdatachannel.benchmarks.micro.ReassemblyBenchmark}), SACK generation
 * ({@link org.jdatachannel.benchmarks.micro.SackBenchmark}), DCEP
 * ({@link org.jdatachannel.benchmarks.micro.DcepBenchmark}), SDP parsing
 * ({@link org.jdatachannel.benchmarks.micro.SdpParseBenchmark}) and the DTLS record layer
 * ({@link org.jdatachannel.benchmarks.micro.DtlsRecordBenchmark},
 * {@link org.jdatachannel.benchmarks.micro.DtlsStackBenchmark}). CRC32c and the bare record AEADs are
 * {@code Crc32cBenchmark} and {@code DtlsCryptoBenchmark} in the parent package.
 *
 * <p>Defaults: one fork with {@code -Xbatch} (a method runs interpreted until its compilation is
 * done instead of racing a background compiler, so on a loaded machine the measured iterations run
 * compiled code), 5 warm-up and 5 measured iterations of 1 s. Report CPU time per operation with
 * {@link org.jdatachannel.benchmarks.micro.CpuTimeProfiler}: the wall-clock score on a shared
 * machine mostly measures the other jobs.
 *
 * <p>Every benchmark is single-threaded and works on in-memory data only (no sockets). Run them
 * through {@link org.jdatachannel.benchmarks.RunBenchmarks}, which accepts JMH's command line
 * ({@code -prof gc} for allocation per operation); see benchmarks/README.md.
 */
package org.jdatachannel.benchmarks.micro;
