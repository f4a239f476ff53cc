package org.jdatachannel.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;

/**
 * One HTTP request/response of {@link PeerServer}, over Jetty's core API, with the few operations
 * the server needs: read a bounded body, set headers, send one response. Not thread-safe: used by
 * the one Jetty worker thread that handles the request (the handler may block on it).
 */
final class Exchange {

    private final Request request;
    private final Response response;
    private final Callback callback;
    private boolean responded;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    /** The decoded request path, e.g. {@code /session/ab12}. */
    String path() {
        String p = request.getHttpURI().getDecodedPath();
        return p == null ? "/" : p;
    }

    String method() {
        return request.getMethod();
    }

    SocketAddress remote() {
        return request.getConnectionMetaData().getRemoteSocketAddress();
    }

    String uri() {
        return request.getHttpURI().toString();
    }

    /** The request body, read as it arrives; reads block, bounded by the connector's idle timeout. */
    InputStream body() {
        return Request.asInputStream(request);
    }

    void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    boolean responded() {
        return responded;
    }

    /** Sends the response with a UTF-8 body. */
    void respond(int code, String contentType, String body) throws IOException {
        respond(code, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends the response (status, optional content type, optional body) and completes the
     * exchange; waits at most {@link PeerServer#MAX_RESPONSE_SECONDS} for the bytes to be written.
     *
     * @throws IOException if it was already sent, or writing failed
     */
    void respond(int code, String contentType, byte[] body) throws IOException {
        if (responded) {
            throw new IOException("response already sent");
        }
        responded = true;
        response.setStatus(code);
        if (contentType != null) {
            response.getHeaders().put("Content-Type", contentType);
        }
        FutureCallback written = new FutureCallback();
        ByteBuffer content = body == null || body.length == 0 || method().equals("HEAD")
                ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body);
        response.write(true, content, written);
        try {
            written.get(PeerServer.MAX_RESPONSE_SECONDS, TimeUnit.SECONDS);
            callback.succeeded();
        } catch (ExecutionException e) {
            callback.failed(e.getCause());
            throw new IOException("cannot send the response: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            callback.failed(e);
            throw new IOException("response not written within " + PeerServer.MAX_RESPONSE_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
            throw new IOException("interrupted while sending the response", e);
        }
    }

    /** Completes an exchange nobody answered (a bug of ours, or an aborted read) with an error. */
    void abort(Throwable cause) {
        if (!responded) {
            responded = true;
            callback.failed(cause);
        }
    }
}
