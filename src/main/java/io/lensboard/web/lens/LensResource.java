package io.lensboard.web.lens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.Ablation;
import io.lensboard.analysis.LensResult;
import io.lensboard.lens.LensListener;
import io.lensboard.lens.LensQuery;
import io.lensboard.lens.LensService;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.EventStream;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.LocalDate;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The logit lens as JSON, whole or streamed a layer at a time over server-sent events, and as CSV. */
@Path("/api/lens")
public class LensResource {

    @Inject
    LensService lens;

    @Inject
    ObjectMapper json;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Decode every layer's residual stream through the final norm and the unembedding (decoder=tuned:<lens>: its translator first)")
    public LensResult lens(@BeanParam LensApiParams params) {
        return lens.get(lens.check(params.query()));
    }

    /**
     * Events: {@code tokens} (model, dtype, prompt, tokens), one {@code layer} per decoded layer as soon as it
     * is computed, then {@code done}; or {@code error} with an {@link ApiError}. Bad parameters and
     * unknown models are answered before the stream starts, as by {@code GET /api/lens}.
     */
    @GET
    @Blocking
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The logit lens as server-sent events, one 'layer' event per layer, then 'done'")
    public Multi<OutboundSseEvent> stream(@BeanParam LensApiParams params, @Context Sse sse) {
        LensQuery query = lens.checkTokens(params.query()); // a prompt too long for the context is a 400, not an error event
        return EventStream.of(sse, events -> lens.stream(query, new JsonEvents(events, json, query.decoder(), query.ablation())));
    }

    /** The stream's events as JSON, in the order the service reports them; {@code tokens} names an ablation, if any. */
    private record JsonEvents(EventStream events, ObjectMapper json, String decoder, Ablation ablation) implements LensListener {
        @Override
        public void started(Input input) {
            Map<String, Object> tokens = new java.util.LinkedHashMap<>(Map.of("model", input.model(), "dtype", input.dtype(),
                    "decoder", decoder, "prompt", input.prompt(), "tokens", input.tokens()));
            if (ablation.ablates()) {
                tokens.put("ablation", ablation);
            }
            send("tokens", tokens);
        }

        @Override
        public void layer(LensResult.Layer layer) {
            send("layer", layer);
        }

        @Override
        public void done(LensResult result) {
            send("done", Map.of("model", result.model(), "decoder", result.decoder(), "layers", result.layers().size()));
            events.close();
        }

        @Override
        public void failed(Throwable failure) {
            send("error", ApiErrors.body(ApiErrors.unwrap(failure)));
            events.close();
        }

        @Override
        public boolean closed() {
            return events.isClosed();
        }

        private void send(String name, Object data) {
            try {
                events.sendJson(name, json.writeValueAsString(data));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @GET
    @Path("/csv")
    @Produces("text/csv")
    @Operation(summary = "The logit lens as CSV: one line per layer and position")
    public Response csv(@BeanParam LensApiParams params) {
        LensResult r = lens(params);
        return download(LensCsv.of(r), LensCsv.fileName(r, "csv", LocalDate.now()));
    }

    @GET
    @Path("/json")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The logit lens as GET /api/lens gives it, as a file to save (Content-Disposition)")
    public Response json(@BeanParam LensApiParams params) {
        LensResult r = lens(params);
        return download(r, LensCsv.fileName(r, "json", LocalDate.now()));
    }

    private static Response download(Object body, String fileName) {
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + fileName + "\"").build();
    }
}
