package org.jdatachannel.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The client side of the signaling protocol of {@link PeerServer}: {@code POST /offer},
 * {@code POST /session} and the answer to its {@code Location}.
 *
 * <p>Thread-safe. Every request has a timeout and every response body is read up to
 * {@link PeerServer#MAX_BODY_BYTES} bytes.
 */
public final class SignalingClient {

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /** The server's offer and where to send the answer. */
    public record SessionOffer(String sdp, URI answerLocation) {
    }

    /** A non-success HTTP status, with the server's explanation. */
    public static final class SignalingFailure extends IOException {
        private final int status;

        SignalingFailure(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status code. */
        public int status() {
            return status;
        }
    }

    /**
     * @param base the server's URL, e.g. {@code http://127.0.0.1:8080}; a trailing slash is ignored
     * @param timeout bound on each request (connect + response)
     * @throws IllegalArgumentException if {@code base} is not an absolute http(s) URL
     */
    public SignalingClient(URI base, Duration timeout) {
        if (base == null || base.getScheme() == null
                || !(base.getScheme().equals("http") || base.getScheme().equals("https")) || base.getHost() == null) {
            throw new IllegalArgumentException("expected an absolute http:// or https:// URL, got '" + base + "'");
        }
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY).build();
    }

    /** Sends a complete offer to {@code /offer} and returns the complete answer. */
    public String postOffer(String offerSdp) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(post(URI.create(base + "/offer"), offerSdp));
        String body = readBounded(r);
        if (r.statusCode() != 200) {
            throw new SignalingFailure(r.statusCode(), "POST /offer: HTTP " + r.statusCode() + ": " + body.strip());
        }
        return body;
    }

    /** Asks the server to offer ({@code POST /session}). */
    public SessionOffer newSession() throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(post(URI.create(base + "/session"), ""));
        String body = readBounded(r);
        if (r.statusCode() != 201) {
            throw new SignalingFailure(r.statusCode(), "POST /session: HTTP " + r.statusCode() + ": " + body.strip());
        }
        String location = r.headers().firstValue("Location")
                .orElseThrow(() -> new SignalingFailure(201, "POST /session: no Location header"));
        return new SessionOffer(body, URI.create(base + "/").resolve(location));
    }

    /** Sends the answer to a server offer. */
    public void postAnswer(URI location, String answerSdp) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(post(location, answerSdp));
        String body = readBounded(r);
        if (r.statusCode() != 204 && r.statusCode() != 200) {
            throw new SignalingFailure(r.statusCode(), "POST " + location.getPath() + ": HTTP " + r.statusCode() + ": "
                    + body.strip());
        }
    }

    private HttpRequest post(URI uri, String sdp) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(sdp, StandardCharsets.UTF_8)).build();
    }

    private HttpResponse<InputStream> send(HttpRequest req) throws IOException, InterruptedException {
        return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static String readBounded(HttpResponse<InputStream> r) throws IOException {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(PeerServer.MAX_BODY_BYTES + 1);
            if (b.length > PeerServer.MAX_BODY_BYTES) {
                throw new IOException("response body larger than " + PeerServer.MAX_BODY_BYTES + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
