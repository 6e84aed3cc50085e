package io.lensboard.web;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.pool.UnknownModelException;
import io.lensboard.runs.TooManyRunsException;
import io.lensboard.runs.UnknownRunException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps failures to HTTP answers with a JSON {@link ApiError}: bad input 400, unknown model or run 404,
 * an unusable checkpoint 422, a full run queue 429, an unreachable hub 503. Nothing reaches the user as a stack trace.
 */
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    /** Waits for device work on a worker thread, rethrowing its own exception rather than a wrapper. */
    public static <T> T await(CompletableFuture<T> future) {
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
        if (t instanceof InvalidInputException || t instanceof IllegalArgumentException) {
            return 400;
        }
        if (t instanceof UnknownModelException || t instanceof UnknownRunException) {
            return 404;
        }
        if (t instanceof TooManyRunsException) {
            return 429;
        }
        if (t instanceof CheckpointException) {
            return 422; // the request was fine; the checkpoint on disk is not
        }
        if (t instanceof UnavailableException || t instanceof IOException) {
            return 503;
        }
        return 500;
    }

    public static ApiError body(Throwable t) {
        int status = statusOf(t);
        if (status == 500) {
            LOG.error("unexpected failure", t);
        }
        return new ApiError(status, t.getMessage() != null ? t.getMessage() : t.toString());
    }

    @ServerExceptionMapper
    public Response map(RuntimeException e) {
        if (e instanceof WebApplicationException w) {
            Response r = w.getResponse();
            return Response.status(r.getStatus()).type(MediaType.APPLICATION_JSON)
                    .entity(new ApiError(r.getStatus(), e.getMessage())).build();
        }
        Throwable cause = unwrap(e);
        ApiError body = body(cause);
        return Response.status(body.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
