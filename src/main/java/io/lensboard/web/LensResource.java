package io.lensboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.model.pool.ModelPool;
import io.smallrye.mutiny.Multi;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The logit lens as JSON, whole or streamed a layer at a time over server-sent events. */
@Path("/api/lens")
public class LensResource {

    @Inject
    ModelPool pool;

    @Inject
    ObjectMapper json;

    @Inject
    LensCache cache;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Decode every layer's residual stream through the final norm and the unembedding")
    public LensResult lens(@QueryParam("model") @Parameter(description = "model id (GET /api/models)") String model,
                           @QueryParam("prompt") String prompt,
                           @QueryParam("topk") @DefaultValue("5") @Parameter(description = "1..100") String topk,
                           @QueryParam("sub") @DefaultValue("false")
                           @Parameter(description = "also decode hook_resid_mid (after each block's attention)") String sub) {
        LogitLens.Request request = request(prompt, topk, sub);
        pool.catalog().check(model);
        return cache.get(new LensCache.Key(model, request.prompt(), request.topk(), request.subBlocks()));
    }

    /**
     * Events: {@code tokens} (model, prompt, tokens), one {@code layer} per decoded layer as soon as it
     * is computed, then {@code done}; or {@code error} with an {@link ApiError}. Bad parameters and
     * unknown models are answered before the stream starts, as by {@code GET /api/lens}.
     */
    @GET
    @Blocking
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "The logit lens as server-sent events, one 'layer' event per layer, then 'done'")
    public Multi<OutboundSseEvent> stream(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                                          @QueryParam("topk") @DefaultValue("5") String topk,
                                          @QueryParam("sub") @DefaultValue("false") String sub, @Context Sse sse) {
        LogitLens.Request request = request(prompt, topk, sub);
        pool.catalog().check(model);
        return EventStream.of(sse, events -> pool.run(model, m -> {
            long[] ids = LogitLens.tokenize(m, request);
            send(events, "tokens", Map.of("model", m.id(), "prompt", request.prompt(),
                    "tokens", LogitLens.tokens(m, ids)));
            return LogitLens.run(m, request, layer -> send(events, "layer", layer));
        }).whenComplete((result, failure) -> {
            if (failure != null) {
                send(events, "error", ApiErrors.body(ApiErrors.unwrap(failure)));
            } else {
                send(events, "done", Map.of("model", result.model(), "layers", result.layers().size()));
            }
            events.close(); // a viewer who left only drops the events: the computation finishes
        }));
    }

    private void send(EventStream events, String name, Object data) {
        try {
            events.sendJson(name, json.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @GET
    @Path("/csv")
    @Produces("text/csv")
    @Operation(summary = "The logit lens as CSV: one line per layer and position")
    public jakarta.ws.rs.core.Response csv(@QueryParam("model") String model, @QueryParam("prompt") String prompt,
                                           @QueryParam("topk") @DefaultValue("5") String topk,
                                           @QueryParam("sub") @DefaultValue("false") String sub) {
        LensResult r = lens(model, prompt, topk, sub);
        StringBuilder csv = new StringBuilder("layer,hook,position,input_id,input_text,top1_id,top1_text,top1_prob,top1_logit,"
                + "entropy,kl_final,kl_input,rank_final_top1,rank_next_token,rank_input_token\n");
        for (LensResult.Layer layer : r.layers()) {
            for (int i = 0; i < layer.positions().size(); i++) {
                LensResult.Position p = layer.positions().get(i);
                LensResult.TopToken top = p.top().get(0);
                csv.append(layer.layer()).append(',').append(layer.hook()).append(',').append(i).append(',')
                        .append(r.tokens().get(i).id()).append(',').append(csvText(r.tokens().get(i).text())).append(',')
                        .append(top.id()).append(',').append(csvText(top.text())).append(',').append(top.prob()).append(',')
                        .append(top.logit()).append(',').append(p.entropy()).append(',').append(p.klFinal()).append(',')
                        .append(p.klInput()).append(',').append(p.rankFinalTop1()).append(',')
                        .append(p.rankNextToken() == null ? "" : p.rankNextToken()).append(',').append(p.rankInputToken()).append('\n');
            }
        }
        return jakarta.ws.rs.core.Response.ok(csv.toString())
                .header("Content-Disposition", "attachment; filename=\"lens.csv\"").build();
    }

    /** RFC 4180 quoting: every text field quoted, quotes doubled. */
    private static String csvText(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    static LogitLens.Request request(String prompt, String topk, String sub) {
        if (prompt == null || prompt.isEmpty()) {
            throw new InvalidInputException("prompt is empty: pass prompt=<text>");
        }
        int k;
        try {
            k = Integer.parseInt(topk.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("topk must be a whole number between 1 and " + LogitLens.MAX_TOPK + ", got '" + topk + "'");
        }
        if (k < 1 || k > LogitLens.MAX_TOPK) {
            throw new InvalidInputException("topk must be between 1 and " + LogitLens.MAX_TOPK + ", got " + k);
        }
        boolean subBlocks = switch (sub.trim()) {
            case "1", "true", "on" -> true;
            case "0", "false", "off", "" -> false;
            default -> throw new InvalidInputException("sub must be 1 or 0, got '" + sub + "'");
        };
        return new LogitLens.Request(prompt, k, subBlocks);
    }
}
