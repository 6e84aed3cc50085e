package io.lensboard.web.access;

import io.lensboard.LensboardConfig;
import io.lensboard.web.common.ApiError;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may do what: a state-changing request from another site's page is refused (the browser's Origin, or
 * Sec-Fetch-Site, says where it comes from), and when {@code LENSBOARD_TOKEN} is set every request needs the
 * token: as a bearer token (API) or the cookie the sign-in page sets (pages; a value derived from the token). A
 * request naming a host this service is not reached by ({@link AllowedHosts}) is refused first: it comes from a page
 * whose name was rebound to ours.
 */
public class AccessFilter {
    static final String COOKIE = "lensboard_token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    LensboardConfig config;

    @Inject
    AllowedHosts hosts;

    @Inject
    LoginThrottle throttle;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> filter(ContainerRequestContext request, HttpServerRequest http) {
        String host = request.getHeaderString(HttpHeaders.HOST);
        if (!hosts.allows(host)) {
            return Optional.of(refuse(request, 421, "this lensboard is not reached by the name '" + AllowedHosts.hostOf(host)
                    + "'; if it is yours, add it to " + AllowedHosts.PROPERTY));
        }
        if (!SAFE.contains(request.getMethod()) && crossSite(request)) {
            return Optional.of(refuse(request, 403, "this request came from another site's page; lensboard only takes "
                    + "changes made from its own pages or from API clients"));
        }
        Optional<String> token = config.token();
        String path = request.getUriInfo().getPath();
        if (token.isEmpty() || path.equals("/login")) {
            return Optional.empty();
        }
        Cookie cookie = request.getCookies().get(COOKIE);
        if (cookie != null && matches(cookie.getValue(), session(token.get()))) {
            return Optional.empty();
        }
        String auth = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.startsWith("Bearer ")) {
            // Only guesses of the token itself are throttled: a cookie is an HMAC nobody can guess, and a stale one
            // (from before the token changed) must not lock its browser out of signing in again.
            String client = client(http);
            long wait = throttle.retryAfter(client);
            if (wait > 0) {
                return Optional.of(tooManyTries(request, wait));
            }
            if (matches(auth.substring(7).trim(), token.get())) {
                return Optional.empty();
            }
            throttle.failed(client);
        }
        if (path.startsWith("/api/") || !accepts(request, MediaType.TEXT_HTML_TYPE)) {
            return Optional.of(refuse(request, 401, "this lensboard needs its access token: send \"Authorization: Bearer <token>\""));
        }
        String next = request.getUriInfo().getRequestUri().getRawPath()
                + (request.getUriInfo().getRequestUri().getRawQuery() == null ? "" : "?" + request.getUriInfo().getRequestUri().getRawQuery());
        return Optional.of(Response.seeOther(URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))).build());
    }

    private static boolean crossSite(ContainerRequestContext request) {
        if ("cross-site".equals(request.getHeaderString("Sec-Fetch-Site"))) {
            return true;
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null || origin.equals("null")) {
            return origin != null; // a sandboxed or privacy-stripped page: not ours
        }
        URI self = request.getUriInfo().getRequestUri();
        String host = request.getHeaderString(HttpHeaders.HOST);
        try {
            URI from = URI.create(origin);
            String fromHost = from.getHost() + (from.getPort() == -1 ? "" : ":" + from.getPort());
            return !fromHost.equalsIgnoreCase(host != null ? host : self.getAuthority());
        } catch (IllegalArgumentException malformed) {
            return true;
        }
    }

    /** The client's address, whose wrong tokens {@link LoginThrottle} counts. */
    static String client(HttpServerRequest http) {
        return http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
    }

    private static Response tooManyTries(ContainerRequestContext request, long seconds) {
        return Response.fromResponse(refuse(request, 429, LoginThrottle.tooMany(seconds)))
                .header(HttpHeaders.RETRY_AFTER, seconds).build();
    }

    /**
     * The sign-in cookie's value: derived from the token (HMAC-SHA256 keyed by it), so that the cookie, in a browser's
     * store or a log, does not give away the token the API takes, every replica checks it without shared state, and
     * changing LENSBOARD_TOKEN signs every browser out.
     */
    static String session(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal("lensboard sign-in".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static boolean matches(String given, String token) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean accepts(ContainerRequestContext request, MediaType type) {
        return request.getAcceptableMediaTypes().stream().anyMatch(t -> !t.isWildcardType() && t.isCompatible(type));
    }

    private static Response refuse(ContainerRequestContext request, int status, String message) {
        if (!request.getUriInfo().getPath().startsWith("/api/") && accepts(request, MediaType.TEXT_HTML_TYPE)) {
            return Response.status(status).type(MediaType.TEXT_HTML_TYPE)
                    .entity(LoginResource.Templates.login(null, message).render()).build();
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(status, message)).build();
    }
}
