package org.jdatachannel.sctp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Enforces the sans-IO rule of the project's STYLE notes on the main sources of this module: no
 * clocks, no sleeping, no threads, no unseeded randomness, no sockets.
 */
class SansIoRulesTest {
    private static final String[] FORBIDDEN = {"System.currentTimeMillis", "System.nanoTime", "Instant.now",
        "new Random(", "Math.random", "Thread.sleep", "new Thread(", "java.net.", "Executor", "synchronized"};

    @Test
    void mainSourcesUseNoClocksThreadsOrSockets() throws IOException {
        Path root = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    for (String bad : FORBIDDEN) {
                        if (lines.get(i).contains(bad)) {
                            violations.add(f + ":" + (i + 1) + " uses " + bad);
                        }
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
