package org.jdatachannel.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headless browsers of the interop tests and how to start each one with a fresh profile that
 * stays off the network. Used by {@link BrowserScenario} inside the test's private network namespace
 * (see {@link BrowserNamespace}); nothing here sends a packet by itself.
 *
 * <p>Immutable; thread-safe.
 */
public enum Browser {

    /** Debian's {@code chromium}. */
    CHROMIUM("chromium", "/usr/bin/chromium", "Chrome", "Chromium"),
    /** Debian's {@code firefox-esr}. */
    FIREFOX("firefox", "/usr/bin/firefox-esr", "Firefox", "Mozilla Firefox");

    /** Launch options of one scenario. */
    public enum Option {
        /**
         * Chromium: the field trial under which it offers RFC 8260 I-DATA
         * ({@code WebRTC-DataChannelMessageInterleaving}).
         */
        INTERLEAVING,
        /**
         * Firefox: turn its mDNS hiding of host candidates off
         * ({@code media.peerconnection.ice.obfuscate_host_addresses=false}), so it sends its
         * 198.18.0.x host candidates instead of {@code <uuid>.local} names. Chromium: the same
         * through {@code --disable-features=WebRtcHideLocalIpsWithMdns} (it then gathers only the
         * default route's address, so the namespace needs a default route). Two browsers that
         * both hide their addresses cannot meet in the namespace (no mDNS resolution there).
         */
        PLAIN_HOST_CANDIDATES,
        /**
         * Firefox: its older SCTP stack, usrsctp, instead of dcSCTP
         * ({@code media.peerconnection.sctp.use_dcsctp=false}; ESR 153 defaults to dcSCTP).
         */
        USRSCTP
    }

    private final String id;
    private final String binary;
    private final String userAgentToken;
    private final String versionPrefix;

    Browser(String id, String binary, String userAgentToken, String versionPrefix) {
        this.id = id;
        this.binary = binary;
        this.userAgentToken = userAgentToken;
        this.versionPrefix = versionPrefix;
    }

    /** The name used on command lines and in logs: {@code chromium} or {@code firefox}. */
    public String id() {
        return id;
    }

    /** Absolute path of the Debian package's launcher. */
    public String binary() {
        return binary;
    }

    /** A word the browser's {@code navigator.userAgent} contains. */
    public String userAgentToken() {
        return userAgentToken;
    }

    /** How the line of {@code <binary> --version} that names the version starts. */
    public String versionPrefix() {
        return versionPrefix;
    }

    /**
     * @throws IllegalArgumentException if {@code id} names no browser
     */
    public static Browser byId(String id) {
        for (Browser b : values()) {
            if (b.id.equals(id)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown browser '" + id + "' (chromium or firefox)");
    }

    /**
     * Prepares {@code profile} (an empty directory) and returns the command that opens {@code url}
     * headless with it.
     *
     * @throws IOException if the profile cannot be written
     */
    public List<String> launch(Path profile, String url, List<Option> options) throws IOException {
        List<String> cmd = new ArrayList<>();
        switch (this) {
            case CHROMIUM -> {
                cmd.addAll(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update", "--no-first-run",
                        "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", "--no-default-browser-check",
                        "--user-data-dir=" + profile));
                if (options.contains(Option.INTERLEAVING)) {
                    cmd.add("--force-fieldtrials=WebRTC-DataChannelMessageInterleaving/Enabled/");
                }
                if (options.contains(Option.PLAIN_HOST_CANDIDATES)) {
                    cmd.add("--disable-features=WebRtcHideLocalIpsWithMdns");
                }
            }
            case FIREFOX -> {
                Files.writeString(profile.resolve("user.js"), firefoxUserJs(options), StandardCharsets.UTF_8);
                cmd.addAll(List.of(binary, "--headless", "--no-remote", "--profile", profile.toString()));
            }
        }
        cmd.add(url);
        return cmd;
    }

    /**
     * Environment variables for the browser process (added to the scenario JVM's).
     *
     * @param home a writable scratch directory for the browser's {@code HOME}
     */
    public Map<String, String> environment(Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        if (this == FIREFOX) {
            env.put("HOME", home.toString());
            env.put("MOZ_CRASHREPORTER_DISABLE", "1");
            // A profile is never reused, but a killed run must not make the next start ask for safe mode.
            env.put("MOZ_DISABLE_AUTO_SAFE_MODE", "1");
            // Lets the profile's services.settings.server override take effect in a release build.
            env.put("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1");
        }
        return env;
    }

    /**
     * The Firefox profile preferences: no first-run pages, no background services that would try
     * the network (telemetry, updates, safe browsing, captive-portal and connectivity checks,
     * remote settings, add-on and plugin updates, DNS prefetch, DoH), and WebRTC usable without a
     * permission prompt. The namespace has no route out in any case; these keep Firefox from
     * filling its log with failures and from delaying the page.
     */
    static String firefoxUserJs(List<Option> options) {
        Map<String, Object> p = new LinkedHashMap<>();
        // First run and default-browser pages.
        p.put("browser.shell.checkDefaultBrowser", false);
        p.put("browser.startup.homepage_override.mstone", "ignore");
        p.put("startup.homepage_welcome_url", "about:blank");
        p.put("startup.homepage_welcome_url.additional", "");
        p.put("browser.startup.firstrunSkipsHomepage", true);
        p.put("browser.aboutwelcome.enabled", false);
        p.put("trailhead.firstrun.didSeeAboutWelcome", true);
        p.put("datareporting.policy.firstRunURL", "");
        p.put("browser.sessionstore.resume_from_crash", false);
        p.put("toolkit.startup.max_resumed_crashes", -1);
        // Telemetry and data reporting.
        p.put("datareporting.policy.dataSubmissionEnabled", false);
        p.put("datareporting.healthreport.uploadEnabled", false);
        p.put("toolkit.telemetry.enabled", false);
        p.put("toolkit.telemetry.unified", false);
        p.put("toolkit.telemetry.archive.enabled", false);
        p.put("toolkit.telemetry.server", "");
        p.put("datareporting.usage.uploadEnabled", false);
        // Glean (FOG): a negative port makes it drop its pings instead of uploading them.
        p.put("telemetry.fog.test.localhost_port", -1);
        p.put("browser.ping-centre.telemetry", false);
        p.put("app.normandy.enabled", false);
        p.put("app.shield.optoutstudies.enabled", false);
        // Updates of the browser, add-ons, search engines, media plugins.
        p.put("app.update.disabledForTesting", true);
        p.put("app.update.auto", false);
        p.put("extensions.update.enabled", false);
        p.put("extensions.getAddons.cache.enabled", false);
        p.put("extensions.blocklist.enabled", false);
        p.put("browser.search.update", false);
        p.put("browser.region.update.enabled", false);
        p.put("browser.region.network.url", "");
        p.put("media.gmp-manager.url", "");
        p.put("media.gmp-gmpopenh264.enabled", false);
        p.put("media.gmp-widevinecdm.enabled", false);
        // Safe browsing, captive portal, connectivity checks, remote settings, DoH, prefetching.
        p.put("browser.safebrowsing.malware.enabled", false);
        p.put("browser.safebrowsing.phishing.enabled", false);
        p.put("browser.safebrowsing.downloads.enabled", false);
        p.put("browser.safebrowsing.blockedURIs.enabled", false);
        p.put("browser.safebrowsing.provider.mozilla.updateURL", "");
        p.put("browser.safebrowsing.provider.google4.updateURL", "");
        p.put("network.captive-portal-service.enabled", false);
        p.put("network.connectivity-service.enabled", false);
        // Honoured by release builds only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (see environment).
        p.put("services.settings.server", "data:,#remote-settings-off");
        p.put("dom.push.connection.enabled", false);
        p.put("dom.push.serverURL", "");
        p.put("network.trr.mode", 5);
        p.put("network.dns.disablePrefetch", true);
        p.put("network.prefetch-next", false);
        p.put("network.http.speculative-parallel-limit", 0);
        p.put("browser.newtabpage.enabled", false);
        p.put("browser.newtabpage.activity-stream.feeds.system.topstories", false);
        p.put("browser.newtabpage.activity-stream.feeds.snippets", false);
        p.put("browser.topsites.contile.enabled", false);
        p.put("browser.contentblocking.report.monitor.enabled", false);
        p.put("identity.fxaccounts.enabled", false);
        // WebRTC: no permission prompt; mDNS hiding of host candidates stays on (Firefox's
        // default) unless the case asks for plain host candidates.
        // The page's console.log lines go to Firefox's stdout, which the scenario keeps for failures.
        p.put("devtools.console.stdout.content", true);
        p.put("media.navigator.permission.disabled", true);
        if (options.contains(Option.USRSCTP)) {
            p.put("media.peerconnection.sctp.use_dcsctp", false);
        }
        p.put("media.peerconnection.ice.obfuscate_host_addresses",
                !options.contains(Option.PLAIN_HOST_CANDIDATES));
        StringBuilder sb = new StringBuilder("// Written by the jdatachannel interop test (Browser.java).\n");
        p.forEach((k, v) -> sb.append("user_pref(\"").append(k).append("\", ")
                .append(v instanceof String s ? "\"" + s + "\"" : String.valueOf(v)).append(");\n"));
        return sb.toString();
    }
}
