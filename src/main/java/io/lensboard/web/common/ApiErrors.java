package io.lensboard.web.common;

import io.lensboard.Futures;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.images.ImageProblem;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.UnknownLensException;
import io.lensboard.lens.UnknownAnalysisException;
import io.lensboard.model.pool.UnknownModelException;
import io.lensboard.runs.NothingToExportException;
import io.lensboard.storage.StorageUnavailableException;
import io.lensboard.runs.TooManyRunsException;
import io.lensboard.runs.UnknownRunException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps the project's own failures to HTTP answers with a JSON {@link ApiError}: bad input 400, unknown model or run
 * 404, an unusable checkpoint 422, a full run queue 429, an unreachable hub 503. Anything else is a bug, not the
 * user's doing: a 500 whose body carries an error id that is logged with the stack trace, never the trace itself.
 */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    /** Waits for device work on a worker thread, rethrowing its own exception rather than a wrapper. */
    public static <T> T await(CompletableFuture<T> future) {
        Threads.blocking("waiting for the device");
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public static RuntimeException unwrap(Throwable wrapped) {
        Throwable t = Futures.cause(wrapped);
        return t instanceof RuntimeException r ? r : new UnavailableException(t.getMessage(), t);
    }

    /** A dependency outside lensboard (the hub, the disk) failed. */
    public static class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static int statusOf(Throwable t) {
        if (t instanceof InvalidInputException || t instanceof InvalidModelIdException) {
            return 400;
        }
        if (t instanceof UnknownModelException || t instanceof UnknownRunException || t instanceof UnknownAnalysisException
                || t instanceof UnknownLensException || t instanceof NothingToExportException) {
            return 404;
        }
        if (t instanceof ImageProblem image) {
            return image.status(); // 404 unknown, 413 too large, 415 not an image, 422 undecodable
        }
        if (t instanceof TooManyRunsException) {
            return 429;
        }
        if (t instanceof CheckpointException) {
            return 422; // the request was fine; the checkpoint on disk is not
        }
        if (t instanceof UnavailableException || t instanceof IOException || t instanceof java.io.UncheckedIOException
                || t instanceof StorageUnavailableException) {
            return 503;
        }
        return 500;
    }

    public static ApiError body(Throwable t) {
        int status = statusOf(t);
        if (status == 500) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            LOG.errorf(t, "unexpected failure, error id %s", id);
            return new ApiError(status, "an unexpected error on the server (error id " + id + ", in its log); please report it");
        }
        return new ApiError(status, t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
    }

    private static final java.util.regex.Pattern PATH = java.util.regex.Pattern.compile("(?<![\\w.:/-])(?:\\.\\.?)?(?:/[\\w.@+-]+)+/([\\w.@+-]*)");

    /** A message for a page: a server file path in it shortened to its file name (a page never shows where files live). */
    public static String withoutPaths(String message) {
        return message == null ? null : PATH.matcher(message).replaceAll("$1");
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
            body = new ApiError(400, jsonProblem(json)); // Quarkus REST wraps a body that does not parse
        } else if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            body = status >= 500 ? body(e) : new ApiError(status, switch (status) {
                case 404 -> "there is no page or API call at " + uri.getPath();
                case 405 -> request.getMethod() + " is not allowed on " + uri.getPath() + "; it takes "
                        + String.join(", ", w.getResponse().getAllowedMethods());
                case 406 -> "this call cannot answer in what the Accept header asks for (" + headers.getHeaderString(HttpHeaders.ACCEPT)
                        + "); send Accept: */*";
                case 415 -> "this call does not take a body of Content-Type " + headers.getMediaType() + "; send "
                        + (uri.getPath().endsWith("/images") ? "a PNG or JPEG, as the multipart field 'file' or as the body with Content-Type image/png or image/jpeg"
                        : uri.getPath().startsWith("/api/") ? "JSON with Content-Type: application/json" : "a form (application/x-www-form-urlencoded)");
                default -> e.getMessage();
            });
        } else if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith("URLDecoder:")) {
            body = new ApiError(400, "the form or query is not valid URL encoding: a '%' must be followed by two hex digits");
        } else {
            body = body(unwrap(e));
        }
        return respond(body, !(e instanceof WebApplicationException), headers, uri);
    }

    /**
     * A JSON body that does not parse, or whose values have the wrong types (Quarkus REST passes Jackson's exception
     * through): 400 saying where, never Jackson's message (it names classes and the input source).
     */
    @ServerExceptionMapper
    public Response mapJson(JsonProcessingException e, HttpHeaders headers, UriInfo uri) {
        boolean input = e instanceof JsonParseException || e instanceof MismatchedInputException; // else writing failed: ours
        return respond(input ? new ApiError(400, jsonProblem(e)) : body(e), false, headers, uri);
    }

    /** As {@link #mapJson}; named so that it is chosen over Quarkus REST's own mapper for this exception. */
    @ServerExceptionMapper
    public Response mapMismatch(MismatchedInputException e, HttpHeaders headers, UriInfo uri) {
        return mapJson(e, headers, uri);
    }

    static String jsonProblem(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m) {
            String field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("", (a, b) -> a.isEmpty() || b.startsWith("[") ? a + b : a + "." + b);
            String expected = expected(m.getTargetType());
            return field.isEmpty() ? "the body must be a JSON object {…}, not " + found(m)
                    : "'" + field + "' has the wrong type: it must be " + expected;
        }
        JsonLocation at = e.getLocation();
        return "the body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                + ": send a JSON object, e.g. {\"kind\": \"…\", \"model\": \"…\", \"params\": {…}}";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array [...]";
        }
        return "a JSON object {…}";
    }

    private static String found(MismatchedInputException m) {
        String message = m.getOriginalMessage();
        return message != null && message.contains("Array") ? "an array" : "a single value";
    }

    /** {@code fromBelow}: the failure came from below the web layer, whose messages may name a server file. */
    private static Response respond(ApiError body, boolean fromBelow, HttpHeaders headers, UriInfo uri) {
        boolean page = !uri.getPath().startsWith("/api/") && headers.getAcceptableMediaTypes().stream()
                .anyMatch(t -> !t.isWildcardType() && t.isCompatible(MediaType.TEXT_HTML_TYPE));
        if (page) {
            return Response.status(body.status()).type(MediaType.TEXT_HTML_TYPE)
                    // a failure below the web layer may name a server file; a missing page names only its URL path
                    .entity(Templates.error(body.status(), fromBelow ? withoutPaths(body.error()) : body.error()).render()).build();
        }
        return Response.status(body.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
