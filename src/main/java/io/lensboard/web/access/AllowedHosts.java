package io.lensboard.web.access;

import io.lensboard.LensboardConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names this service may be reached by, against DNS rebinding: a page on {@code evil.example} whose name is
 * rebound to 127.0.0.1 reaches lensboard with {@code Host: evil.example}, and its requests are same-origin to the
 * browser, so only the Host header tells them apart. Allowed: loopback names, any IP literal (a page can only be
 * same-origin with an address by being served from it, so rebinding cannot use one), this machine's own name and
 * the host of {@code lensboard.cluster.url} (where the cluster page links replicas), and
 * {@code lensboard.allowed-hosts} ({@code *} allows every name, e.g. behind a proxy that checks them).
 */
@Startup
@Singleton
public class AllowedHosts {
    static final String PROPERTY = "lensboard.allowed-hosts (env LENSBOARD_ALLOWED_HOSTS)";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> names = new HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
    private final boolean any;

    @Inject
    public AllowedHosts(LensboardConfig config) {
        List<String> configured = config.allowedHosts().orElse(List.of());
        any = configured.stream().anyMatch(h -> h.trim().equals("*"));
        configured.forEach(h -> names.add(hostOf(h.trim())));
        config.cluster().url().filter(u -> !u.isBlank()).ifPresent(url -> {
            try {
                String host = URI.create(url.trim()).getHost();
                if (host != null) {
                    names.add(host.toLowerCase(Locale.ROOT));
                }
            } catch (IllegalArgumentException malformed) {
                // not a URL: nothing to allow; the cluster page shows it as given
            }
        });
        // Looked up once here, not per request on the event loop: the default replica URL uses this name.
        try {
            names.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (UnknownHostException e) {
            // no name for this machine: loopback and addresses still work
        }
    }

    /** Whether a request with this Host header (name and optional port) is meant for this service. */
    public boolean allows(String hostHeader) {
        if (any || hostHeader == null) {
            return true; // HTTP/1.0 without Host: not a browser, so not a rebound page
        }
        String host = hostOf(hostHeader);
        return names.contains(host) || host.endsWith(".localhost") || IPV4.matcher(host).matches() || host.startsWith("[");
    }

    /** The name without its port, lower case; an IPv6 literal keeps its brackets. */
    static String hostOf(String hostAndPort) {
        String h = hostAndPort.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
