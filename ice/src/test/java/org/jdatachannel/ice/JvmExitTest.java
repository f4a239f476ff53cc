package org.jdatachannel.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ice4j's static thread pools must not keep a JVM alive once every agent is closed. */
class JvmExitTest {
    @Test
    void jvmExitsAfterAllAgentsAreClosed() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                JvmExitMain.class.getName()))
                .redirectErrorStream(true)
                .start();
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(exited, "child JVM did not exit within 30 s after closing its agents; output:\n" + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("DONE 3"), out);
    }
}
