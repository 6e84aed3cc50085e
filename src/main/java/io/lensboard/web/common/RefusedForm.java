package io.lensboard.web.common;

import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * A posted form that was refused, shown again rather than emptied: the status and message the API would give for
 * the same mistake, and every value as it was typed, so the page can put the message next to the form and the
 * reader changes only what it names. Templates read {@code refused.value('field')}.
 */
public record RefusedForm(int status, String error, MultivaluedMap<String, String> typed) {

    /** No refusal: a form shown for the first time (every value null, no message). */
    public static final RefusedForm NONE = new RefusedForm(200, null, new MultivaluedHashMap<>());

    /** The refusal of {@code typed} for {@code e}: its status and message as {@link ApiErrors} states them. */
    public static RefusedForm of(RuntimeException e, MultivaluedMap<String, String> typed) {
        ApiError body = ApiErrors.body(ApiErrors.unwrap(e));
        return new RefusedForm(body.status(), body.error(), typed);
    }

    /** The value typed into {@code field}, or null where it was not sent. */
    public String value(String field) {
        return typed.getFirst(field);
    }

    /** Every value typed into {@code field} (a multiple select, checkboxes), or none. */
    public List<String> values(String field) {
        List<String> v = typed.get(field);
        return v == null ? List.of() : v;
    }

    /** The page again, with this refusal's status. */
    public Response respond(TemplateInstance page) {
        return Response.status(status).entity(page.render()).build();
    }
}
