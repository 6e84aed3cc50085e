package io.lensboard.web;

import io.lensboard.Threads;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.lens.UnknownAnalysisException;
import io.lensboard.model.pool.UnknownModelException;
import io.lensboard.runs.StorageUnavailableException;
import io.lensboard.runs.TooManyRunsException;
import io.lensboard.runs.UnknownRunException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    public static RuntimeException unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
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
        if (t instanceof UnknownModelException || t instanceof UnknownRunException || t instanceof UnknownAnalysisException) {
            return 404;
        }
        if (t instanceof TooManyRunsException) {
            return 429;
        }
        if (t instanceof CheckpointException) {
            return 422; // the request was fine; the checkpoint on disk is not
        }
        if (t instanceof UnavailableException || t instanceof IOException || t instanceof StorageUnavailableException) {
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
    static String withoutPaths(String message) {
        return message == null ? null : PATH.matcher(message).replaceAll("$1");
    }

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance error(int status, String message);
    }

    /** JSON {"status","error"} for the API; for a page asked for by a browser, the same message in the site's layout. */
    @ServerExceptionMapper
    public Response map(RuntimeException e, HttpHeaders headers, UriInfo uri) {
        ApiError body;
        if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            body = status >= 500 ? body(e) : new ApiError(status, status == 404 ? "there is no page or API call at "
                    + uri.getPath() : e.getMessage());
        } else {
            body = body(unwrap(e));
        }
        boolean page = !uri.getPath().startsWith("/api/") && headers.getAcceptableMediaTypes().stream()
                .anyMatch(t -> !t.isWildcardType() && t.isCompatible(MediaType.TEXT_HTML_TYPE));
        if (page) {
            return Response.status(body.status()).type(MediaType.TEXT_HTML_TYPE)
                    // a failure below the web layer may name a server file; a missing page names only its URL path
                    .entity(Templates.error(body.status(), e instanceof WebApplicationException ? body.error()
                            : withoutPaths(body.error())).render()).build();
        }
        return Response.status(body.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
