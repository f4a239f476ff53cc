package org.jdatachannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Peer-chosen labels and protocols (up to 64 KiB) reach the log only as a bounded prefix. */
class LogTextTest {

    @Test
    void longPeerTextIsCutToAPrefixWithItsLength() {
        String label = "L".repeat(65535);
        String logged = ChannelManager.abbreviate(label);
        assertEquals("L".repeat(ChannelManager.LOG_TEXT_CHARS) + "... (65535 chars)", logged);
        assertTrue(logged.length() < 100, logged);
    }

    @Test
    void shortTextIsLoggedAsIs() {
        String label = "x".repeat(ChannelManager.LOG_TEXT_CHARS);
        assertEquals(label, ChannelManager.abbreviate(label));
        assertEquals("", ChannelManager.abbreviate(""));
    }
}
