package org.jdatachannel.dtls.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jdatachannel.dtls.DtlsCertificate;
import org.jdatachannel.dtls.FuzzAccess;

/**
 * Writes the generated seeds of the dtls fuzz corpora (overwriting them, keeping other files such as
 * {@code crash-*} reproducers). Run from the repository root:
 *
 * <pre>
 * mvn -B -q -pl dtls test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=org.jdatachannel.dtls.fuzz.SeedCorpus
 * </pre>
 *
 * <p>Seeds: the captured Chromium 156 and Firefox ESR 153 ClientHello datagrams, both sides of a
 * recorded clean handshake (with the certificates {@code FuzzAccess.connect} expects, so a replayed
 * flight gets past the fingerprint check), CVE-2026-59646 datagrams, non-DTLS first bytes and a
 * premature ChangeCipherSpec.
 */
public final class SeedCorpus {

    private static final Path ROOT = Path.of("src/test/resources/org/jdatachannel/dtls/fuzz");

    private SeedCorpus() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Files.isDirectory(Path.of("dtls")) ? Path.of("dtls").resolve(ROOT) : ROOT;
        List<byte[]> chromium = FuzzAccess.capturedClientHello("chromium-156");
        List<byte[]> firefox = FuzzAccess.capturedClientHello("firefox-esr-153");
        DtlsCertificate peer = FuzzAccess.testCertificate(0);
        DtlsCertificate own = FuzzAccess.testCertificate(1);
        // The handshake target's server uses `own` and expects `peer`: replay a client that has `peer`.
        List<List<byte[]>> forServer = FuzzAccess.recordHandshake(peer, own);
        // Its client uses `own` and expects `peer`: replay a server that has `peer`.
        List<List<byte[]>> forClient = FuzzAccess.recordHandshake(own, peer);
        List<byte[]> hostile = FuzzAccess.hostileDatagrams(0);
        byte[] ccs = {20, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 1};

        Path check = base.resolve("DtlsRecordFilterFuzzTestInputs/check");
        Files.createDirectories(check);
        int i = 0;
        for (byte[] d : concat(chromium.subList(0, 2), firefox.subList(0, 2))) {
            write(check.resolve("captured-clienthello-" + i++), prefix((byte) 0, d));
        }
        i = 0;
        for (byte[] d : concat(forServer.get(0), forServer.get(1))) {
            write(check.resolve("handshake-datagram-" + i++), prefix((byte) 0, d));
        }
        i = 0;
        for (byte[] d : hostile.subList(15, hostile.size())) {
            write(check.resolve("cve-" + i++), prefix((byte) 1, d));
        }
        write(check.resolve("ccs"), prefix((byte) 0, ccs));

        Path demux = base.resolve("DemuxTransportFuzzTestInputs/demux");
        Files.createDirectories(demux);
        List<byte[]> mixed = new ArrayList<>();
        mixed.add(new byte[] {0, 1, 0, 0}); // STUN-like
        mixed.add(new byte[] {(byte) 0x80, 0});
        mixed.addAll(hostile.subList(16, 18));
        mixed.addAll(forServer.get(0));
        mixed.add(1, ccs);
        for (int flags = 0; flags < 4; flags++) {
            write(demux.resolve("mixed-flags" + flags), Script.encode(flags, mixed));
        }
        write(demux.resolve("chromium-clienthello"), Script.encode(1, chromium));
        write(demux.resolve("client-flights"), Script.encode(1, forServer.get(0)));

        Path handshake = base.resolve("HandshakeFuzzTestInputs/handshake");
        Files.createDirectories(handshake);
        write(handshake.resolve("server-chromium-clienthello"), Script.encode(0, chromium.subList(0, 2)));
        write(handshake.resolve("server-firefox-clienthello"), Script.encode(0, firefox.subList(0, 2)));
        write(handshake.resolve("server-recorded-client"), Script.encode(0, forServer.get(0)));
        write(handshake.resolve("server-cve-then-client"),
                Script.encode(0, concat(hostile.subList(15, 20), forServer.get(0))));
        write(handshake.resolve("client-recorded-server"), Script.encode(1, forClient.get(1)));
        System.out.println("seeds written under " + base.toAbsolutePath());
    }

    private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static byte[] prefix(byte first, byte[] d) {
        byte[] out = new byte[d.length + 1];
        out[0] = first;
        System.arraycopy(d, 0, out, 1, d.length);
        return out;
    }

    private static void write(Path p, byte[] data) throws IOException {
        Files.write(p, data);
    }
}
