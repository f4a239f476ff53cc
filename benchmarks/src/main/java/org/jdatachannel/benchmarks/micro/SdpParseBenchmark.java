package org.jdatachannel.benchmarks.micro;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jdatachannel.sdp.DataChannelMedia;
import org.jdatachannel.sdp.SdpParseException;
import org.jdatachannel.sdp.SessionDescription;
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
 * SDP parsing of real browser descriptions (copies of sdp's captured fixtures
 * {@code chromium156-offer.sdp}, 568 bytes, and {@code firefox153-answer.sdp}, 694 bytes):
 * {@link #parse} is {@link SessionDescription#parse(String)} (RFC 8866 grammar),
 * {@link #parseDataChannel} adds {@link DataChannelMedia#from} (the data section's ICE, DTLS and
 * SCTP attributes, what {@code setRemoteDescription} needs). Score: descriptions per microsecond;
 * with {@code -prof gc}, bytes allocated per description.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xbatch")
public class SdpParseBenchmark {
    @Param({"chromium156-offer.sdp", "firefox153-answer.sdp"})
    public String fixture;

    private String text;

    /** Loads the fixture. */
    @Setup
    public void setUp() {
        text = load(fixture);
    }

    /** @return the text of a fixture next to this class */
    static String load(String name) {
        try (InputStream in = SdpParseBenchmark.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no SDP fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the parsed description */
    @Benchmark
    public SessionDescription parse() throws SdpParseException {
        return SessionDescription.parse(text);
    }

    /** @return the data section's parameters */
    @Benchmark
    public DataChannelMedia parseDataChannel() throws SdpParseException {
        return DataChannelMedia.from(SessionDescription.parse(text));
    }
}
