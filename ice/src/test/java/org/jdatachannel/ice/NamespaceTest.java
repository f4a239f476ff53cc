package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The browser-test topology without a browser: a private network namespace created by this test
 * ({@code unshare -rn}, a veth pair with 198.18.0.1/15), our agent bound to the veth address only,
 * the peer sending from 127.0.0.1 and signalling only an unresolvable {@code .local} name
 * (INTEROP-NOTES: Chromium in a namespace does both). Nothing leaves the namespace.
 */
class NamespaceTest {
    private static final String VETH = "198.18.0.1";

    private static boolean canUnshare() {
        try {
            Process p = new ProcessBuilder("unshare", "-rn", "ip", "link", "add", "jdcv0", "type", "veth",
                    "peer", "name", "jdcv1").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void vethAgentConnectsToPeerSendingFromLoopback() throws Exception {
        assumeTrue(canUnshare(), "needs unshare(1) with user+network namespaces and ip(8) with veth");
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        String script = "ip link set lo up && ip link add v0 type veth peer name v1"
                + " && ip addr add " + VETH + "/15 dev v0 && ip link set v0 up && ip link set v1 up"
                + " && exec \"$0\" -cp \"$1\" " + NamespaceMain.class.getName() + " " + VETH;
        Process p = new ProcessBuilder(List.of("unshare", "-rn", "sh", "-c", script, java,
                System.getProperty("java.class.path"))).redirectErrorStream(true).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "child did not finish; output:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("RECEIVED 60000 100"), out);
        assertTrue(out.contains("-> 127.0.0.1:") && out.contains("(prflx)"), out);
    }
}
