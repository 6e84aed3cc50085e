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
import java.net.URI;

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

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response signIn(@FormParam("token") String token, @FormParam("next") String next) {
        if (config.token().isEmpty() || !AccessFilter.matches(token, config.token().get())) {
            return Response.status(401).entity(Templates.login(local(next), "that is not this lensboard's token").render()).build();
        }
        NewCookie cookie = new NewCookie.Builder(AccessFilter.COOKIE).value(token).path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(30 * 24 * 3600).build();
        return Response.seeOther(URI.create(local(next))).cookie(cookie).build();
    }

    /** Only a path on this site: a sign-in link must not send the user elsewhere. */
    private static String local(String next) {
        return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/";
    }
}
