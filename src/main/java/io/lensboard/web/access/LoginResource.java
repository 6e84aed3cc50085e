package io.lensboard.web.access;

import io.lensboard.LensboardConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import java.net.URI;
import java.net.URISyntaxException;

/** Signing in with the access token, when one is set: a form, then a cookie that the pages send from then on. */
@Path("/login")
@Produces(MediaType.TEXT_HTML)
public class LoginResource {

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance login(String next, String error);
    }

    @Inject
    LensboardConfig config;

    @GET
    public String form(@QueryParam("next") String next) {
        return Templates.login(local(next), null).render();
    }

    @Inject
    LoginThrottle throttle;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("token") String token, @FormParam("next") String next, @Context HttpServerRequest http) {
        String client = AccessFilter.client(http);
        long wait = throttle.retryAfter(client);
        if (wait > 0) {
            return Response.status(429).header(HttpHeaders.RETRY_AFTER, wait)
                    .entity(Templates.login(local(next), LoginThrottle.tooMany(wait)).render()).build();
        }
        if (config.token().isEmpty() || !AccessFilter.matches(token, config.token().get())) {
            throttle.failed(client);
            return Response.status(401).entity(Templates.login(local(next), "that is not this lensboard's token").render()).build();
        }
        NewCookie cookie = new NewCookie.Builder(AccessFilter.COOKIE).value(AccessFilter.session(token)).path("/").httpOnly(true)
                .secure("https".equals(http.scheme())).sameSite(NewCookie.SameSite.STRICT).maxAge(30 * 24 * 3600).build();
        return Response.seeOther(URI.create(local(next))).cookie(cookie).build();
    }

    /** Only a path on this site that is a valid URI (not {@code /a b}): a sign-in link must not send the user elsewhere. */
    private static String local(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
            return "/";
        }
        try {
            URI uri = new URI(next);
            return uri.getScheme() == null && uri.getRawAuthority() == null ? next : "/";
        } catch (URISyntaxException malformed) {
            return "/";
        }
    }
}
