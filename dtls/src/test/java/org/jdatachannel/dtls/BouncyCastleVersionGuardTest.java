package org.jdatachannel.dtls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.Manifest;

import org.bouncycastle.tls.DTLSTransport;
import org.junit.jupiter.api.Test;

/**
 * Fails as soon as a Bouncy Castle bctls of version 1.85 or later is on the classpath, to make
 * whoever upgrades re-evaluate {@link DtlsRecordFilter}'s CVE-2026-59646 guard: 1.85 bounds the
 * reassembler itself (DTLSReliableHandshake ignores fragments whose length exceeds
 * {@code TlsPeer.getMaxHandshakeMessageSize()}, default 32768), after which our guard may be
 * removed or kept as defence in depth (then update this test's bound).
 */
class BouncyCastleVersionGuardTest {

    /** The bctls version the guard was written for; the one BC release known vulnerable. */
    private static final int[] GUARDED = {1, 84};

    /** The {@code Bundle-Version} of the jar (or directory) that holds bctls' DTLSTransport. */
    static String bctlsVersion() throws IOException {
        // Every jar on the classpath has a manifest at the same name: read the one beside the class.
        URL cls = DTLSTransport.class.getResource("DTLSTransport.class");
        assertNotNull(cls, "bctls DTLSTransport.class not found");
        String s = cls.toString();
        String base = s.substring(0, s.length() - "org/bouncycastle/tls/DTLSTransport.class".length());
        try (InputStream in = new URL(base + "META-INF/MANIFEST.MF").openStream()) {
            String v = new Manifest(in).getMainAttributes().getValue("Bundle-Version");
            if (v == null) {
                fail("bctls at " + base + " has no Bundle-Version in its manifest; cannot tell whether the"
                        + " CVE-2026-59646 guard (DtlsRecordFilter) is still needed");
            }
            return v.strip();
        }
    }

    @Test
    void bctlsIsTheVersionTheCveGuardWasWrittenFor() throws Exception {
        String version = bctlsVersion();
        String[] parts = version.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
        boolean newer = major > GUARDED[0] || (major == GUARDED[0] && minor > GUARDED[1]);
        assertTrue(!newer, "bctls " + version + " is on the classpath: Bouncy Castle 1.85 fixed CVE-2026-59646."
                + " Re-evaluate the filter in DtlsRecordFilter (remove the message length check, or keep it as"
                + " defence in depth; keep the Certificate/SupplementalData length check unless this release's"
                + " TlsUtils.readFully checks the input before allocating, which 1.85 does not),"
                + " update docs/SECURITY.md and dtls/README.md, then this test's GUARDED version.");
        System.out.println("bctls " + version + ": CVE-2026-59646 guard active (DtlsRecordFilter)");
    }
}
