package org.jdatachannel.sdp;

import java.util.List;

/** Local media used by the JSEP tests. */
final class JsepFixtures {

    static final Fingerprint FP;

    static {
        byte[] d = new byte[32];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 11 + 3);
        }
        FP = new Fingerprint("sha-256", d);
    }

    static final Candidate HOST = Candidate.of("1", 1, "udp", 2130706431L, "198.18.0.1", 40000, "host");

    private JsepFixtures() {
    }

    /** Our media: mid null, credentials uFrg / pAsswordpAsswordpAsswd, one host candidate, no end-of-candidates. */
    static DataChannelMedia local(Setup setup) {
        return DataChannelMedia.local(null, "uFrg", "pAsswordpAsswordpAsswd", List.of(FP), setup, 262144,
                List.of(HOST), false);
    }
}
