package org.jdatachannel.cli;

import java.nio.ByteBuffer;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The WebSocket endpoint object Jetty calls for one {@code /ws} connection; it forwards every
 * event to its {@link Rooms} member. Public only because Jetty binds listener methods through a
 * public method-handle lookup; not part of the API (no public constructor).
 */
public final class RoomSocket implements Session.Listener.AutoDemanding {

    private final Session.Listener member;

    RoomSocket(Session.Listener member) {
        this.member = member;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        member.onWebSocketOpen(session);
    }

    @Override
    public void onWebSocketText(String message) {
        member.onWebSocketText(message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        member.onWebSocketBinary(payload, callback);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        member.onWebSocketClose(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        member.onWebSocketError(cause);
    }
}
