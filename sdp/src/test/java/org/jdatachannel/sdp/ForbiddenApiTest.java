package org.jdatachannel.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The sdp module is pure: no clocks, randomness, threads, sockets or name resolution in main code. */
class ForbiddenApiTest {

    private static final List<String> FORBIDDEN = List.of("System.currentTimeMillis", "System.nanoTime", "Instant.now",
            "new Random", "Math.random", "Thread.sleep", "new Thread", "InetAddress", "java.net.", "synchronized");

    @Test
    void mainSourcesAvoidForbiddenApis() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the module directory");
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    for (String f : FORBIDDEN) {
                        if (lines.get(i).contains(f)) {
                            hits.add(p + ":" + (i + 1) + " uses " + f);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), hits);
    }
}
