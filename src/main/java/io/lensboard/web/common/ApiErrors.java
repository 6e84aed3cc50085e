package io.lensboard.web.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.lensboard.Futures;
import io.lensboard.Problem;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps failures to HTTP answers: a {@link Problem} with its own status and message, JSON in the API and the error
 * page on pages (server file paths scrubbed from the message there). Anything else is a bug, not the user's doing:
 * a 500 whose body carries an error id that is logged with the stack trace, never the trace itself.
 */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    /** The failure inside a future's wrappers; a checked one (the hub, the disk) as a 503. */
    public static RuntimeException unwrap(Throwable wrapped) {
        Throwable t = Futures.cause(wrapped);
        return t instanceof RuntimeException r ? r : new UnavailableException(ErrorMessages.withoutClassNames(t), t);
    }

    /** A dependency outside lensboard (the hub, the disk) failed with a checked exception inside a future. */
    private static final class UnavailableException extends Problem {
        UnavailableException(String message, Throwable cause) {
            super(503, message, cause);
        }
    }

    /** A {@link Problem}'s own status; a failed disk or network 503; anything else is a bug (500). */
    private static int statusOf(Throwable t) {
        if (t instanceof Problem p) {
            return p.status();
        }
        return t instanceof IOException || t instanceof UncheckedIOException ? 503 : 500;
    }

    /** The answer for a failure, unwrapped from the future that carried it; a bug's message is logged, never shown. */
    public static ApiError body(Throwable failure) {
        Throwable t = unwrap(failure);
        int status = statusOf(t);
        if (status == 500) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            LOG.errorf(t, "unexpected failure, error id %s", id);
            return new ApiError(status, "an unexpected error on the server (error id " + id + ", in its log); please report it");
        }
        // a failure from below may name a server file: named relative to its models, lenses or data directory
        if (t instanceof Problem) {
            return new ApiError(status, t.getMessage() != null ? ServerPaths.relative(t.getMessage()) : t.getClass().getSimpleName());
        }
        return new ApiError(status, ServerPaths.relative(ErrorMessages.withoutClassNames(t)));
    }

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance error(int status, String message);
    }

    /** JSON {"status","error"} for the API; for a page asked for by a browser, the same message in the site's layout. */
    @ServerExceptionMapper
    public Response map(RuntimeException e, HttpHeaders headers, UriInfo uri, Request request) {
        ApiError body;
        if (e instanceof WebApplicationException w && w.getCause() instanceof JsonProcessingException json) {
            body = new ApiError(400, JsonProblems.message(json)); // Quarkus REST wraps a body that does not parse
        } else if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            body = status >= 500 ? body(e) : new ApiError(status, switch (status) {
                case 404 -> "there is no page or API call at " + uri.getPath();
                case 405 -> request.getMethod() + " is not allowed on " + uri.getPath() + "; it takes "
                        + String.join(", ", w.getResponse().getAllowedMethods());
                case 406 -> "this call cannot answer in what the Accept header asks for (" + headers.getHeaderString(HttpHeaders.ACCEPT)
                        + "); send Accept: */*";
                case 415 -> "this call does not take a body of Content-Type " + headers.getMediaType() + "; send " + ErrorMessages.wantedBody(uri.getPath());
                default -> e.getMessage();
            });
        } else if (ErrorMessages.tooManyParts(e.getMessage()) != null) {
            body = new ApiError(400, ErrorMessages.tooManyParts(e.getMessage()));
        } else if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("URLDecoder:")) {
            body = new ApiError(400, "the form or query is not valid URL encoding: a '%' must be followed by two hex digits");
        } else {
            body = body(e);
        }
        Response answer = respond(body, !(e instanceof WebApplicationException), headers, uri);
        return e instanceof TooManyStreamsException busy
                ? Response.fromResponse(answer).header(HttpHeaders.RETRY_AFTER, busy.retryAfterSeconds()).build() : answer;
    }

    /**
     * A multipart body that ends before its closing boundary (Quarkus REST's parser says so with a plain IOException)
     * is the client's doing: 400. Any other IOException reaching here is a failed disk or network: 503.
     */
    @ServerExceptionMapper
    public Response mapIo(IOException e, HttpHeaders headers, UriInfo uri) {
        if (e.getMessage() != null && e.getMessage().startsWith("Connection terminated parsing multipart")) {
            return respond(new ApiError(400, "the multipart body ends before its closing boundary (--BOUNDARY--): send the "
                    + "whole form"), false, headers, uri);
        }
        return respond(body(e), true, headers, uri);
    }

    /**
     * A JSON body that does not parse, or whose values have the wrong types (Quarkus REST passes Jackson's exception
     * through): 400 saying where, never Jackson's message (it names classes and the input source).
     */
    @ServerExceptionMapper
    public Response mapJson(JsonProcessingException e, HttpHeaders headers, UriInfo uri) {
        boolean input = e instanceof JsonParseException || e instanceof MismatchedInputException; // else writing failed: ours
        return respond(input ? new ApiError(400, JsonProblems.message(e)) : body(e), false, headers, uri);
    }

    /** As {@link #mapJson}; named so that it is chosen over Quarkus REST's own mapper for this exception. */
    @ServerExceptionMapper
    public Response mapMismatch(MismatchedInputException e, HttpHeaders headers, UriInfo uri) {
        return mapJson(e, headers, uri);
    }

    /** {@code fromBelow}: the failure came from below the web layer, whose messages may name a server file. */
    private static Response respond(ApiError body, boolean fromBelow, HttpHeaders headers, UriInfo uri) {
        boolean page = !uri.getPath().startsWith("/api/") && headers.getAcceptableMediaTypes().stream()
                .anyMatch(t -> !t.isWildcardType() && t.isCompatible(MediaType.TEXT_HTML_TYPE));
        if (page) {
            return Response.status(body.status()).type(MediaType.TEXT_HTML_TYPE)
                    // a failure below the web layer may name a server file; a missing page names only its URL path
                    .entity(Templates.error(body.status(), fromBelow ? ErrorMessages.withoutPaths(body.error()) : body.error()).render()).build();
        }
        return Response.status(body.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
