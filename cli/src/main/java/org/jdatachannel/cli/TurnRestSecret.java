package org.jdatachannel.cli;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jdatachannel.ice.IceServer;

/**
 * Time-limited TURN credentials from a secret shared with the TURN server (the "TURN REST API"
 * scheme of coturn's {@code --use-auth-secret --static-auth-secret=SECRET}, from
 * draft-uberti-behave-turn-rest-00): the username is {@code <expiry>:<id>} with the expiry in Unix
 * seconds, the credential is {@code base64(HMAC-SHA1(secret, username))}. coturn recomputes the
 * credential from the username and refuses it once the expiry has passed, so a credential handed
 * to a page is useless after {@code lifetime} and the secret itself never leaves the server.
 *
 * <p>Immutable, thread-safe.
 *
 * @param urls     the {@code turn:}/{@code turns:} URLs of the servers sharing the secret
 * @param secret   the shared secret (coturn's {@code static-auth-secret}), not empty
 * @param lifetime how long an issued credential is valid, 1 s to 7 days
 */
record TurnRestSecret(List<String> urls, String secret, Duration lifetime) {

    /** Longest credential lifetime accepted. */
    static final Duration MAX_LIFETIME = Duration.ofDays(7);

    /** @throws IllegalArgumentException if the secret is empty or the lifetime out of range */
    TurnRestSecret {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("a TURN secret needs --turn URLs");
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the TURN secret must not be empty");
        }
        if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("the TURN credential lifetime must be 1 s to 7 days, got " + lifetime);
        }
    }

    /**
     * Issues a credential valid until {@code nowEpochSeconds + lifetime}.
     *
     * @param nowEpochSeconds the current Unix time in seconds
     * @param id              who it is for (letters, digits, '-', '_'; no ':'), logged by coturn
     * @return the TURN servers with username {@code <expiry>:<id>} and the HMAC credential
     * @throws IllegalArgumentException if {@code id} contains other characters
     */
    IceServer issue(long nowEpochSeconds, String id) {
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("bad credential id '" + id + "'");
        }
        String username = (nowEpochSeconds + lifetime.toSeconds()) + ":" + id;
        return new IceServer(urls, username, credential(username));
    }

    /** {@code base64(HMAC-SHA1(secret, username))}, as coturn computes it. */
    String credential(String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java SE runtime", e);
        }
    }

    @Override
    public String toString() {
        return "TurnRestSecret[urls=" + urls + ", lifetime=" + lifetime + "]"; // never the secret
    }
}
