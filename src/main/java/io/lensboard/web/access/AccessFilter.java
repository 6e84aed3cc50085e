package io.lensboard.web.access;

import io.lensboard.LensboardConfig;
import io.lensboard.web.common.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may do what: a state-changing request from another site's page is refused (the browser's Origin, or
 * Sec-Fetch-Site, says where it comes from), and when {@code LENSBOARD_TOKEN} is set every request needs the
 * token: as a bearer token (API) or the cookie the sign-in page sets (pages).
 */
public class AccessFilter {
    static final String COOKIE = "lensboard_token";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    LensboardConfig config;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> filter(ContainerRequestContext request) {
        if (!SAFE.contains(request.getMethod()) && crossSite(request)) {
            return Optional.of(refuse(request, 403, "this request came from another site's page; lensboard only takes "
                    + "changes made from its own pages or from API clients"));
        }
        Optional<String> token = config.token();
        String path = request.getUriInfo().getPath();
        if (token.isEmpty() || path.equals("/login") || signedIn(request, token.get())) {
            return Optional.empty();
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

    static boolean matches(String given, String token) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean signedIn(ContainerRequestContext request, String token) {
        String auth = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.startsWith("Bearer ") && matches(auth.substring(7).trim(), token)) {
            return true;
        }
        Cookie cookie = request.getCookies().get(COOKIE);
        return cookie != null && matches(cookie.getValue(), token);
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
