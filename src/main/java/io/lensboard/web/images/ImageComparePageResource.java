package io.lensboard.web.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.NewRun;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunFeed;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.kinds.ImageReconstructionKind;
import io.lensboard.web.common.ApiError;
import io.lensboard.web.common.ApiErrors;
import io.lensboard.web.common.Params;
import io.lensboard.web.models.ModelListing;
import io.lensboard.web.runs.RunForms;
import io.lensboard.web.runs.RunFragments;
import io.lensboard.web.runs.RunViews;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The write-up's "GPT-2 vs ViT" figure: the same target reconstructed from the same blocks of a ViT and of a hybrid
 * (the ViT's stem on a language model's blocks), side by side. One image-reconstruction run per (block, model); the
 * page {@code /images/compare/view?runs=…} names them, so it is the permalink, and its tiles show each image as it forms.
 */
@Path("/images/compare")
@Produces(MediaType.TEXT_HTML)
public class ImageComparePageResource {
    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance imageCompare(List<String> models, String error);

        static native TemplateInstance imageCompareView(String ids, String target, List<String> models, List<Row> rows, boolean finished);

        static native TemplateInstance imageCompareView$tile(int index, RunRecord run, String html);
    }

    /** One block: its runs' tiles, one per model, as stored now. */
    public record Row(int layer, List<Tile> tiles) {}

    public record Tile(int index, RunRecord run, String html) {}

    @Inject
    RunService runs;

    @Inject
    RunFeed feed;

    @Inject
    ImageReconstructionKind reconstruction;

    @Inject
    RunViews views;

    @Inject
    RunForms forms;

    @Inject
    ModelListing listing;


    @GET
    public String form() {
        return Templates.imageCompare(ImageGridPageResource.vits(listing), null).render();
    }

    /** Starts one run per (block, model) together (or none) and goes to their page. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            ObjectNode params = forms.params(reconstruction, form);
            List<String> models = List.of(ImageGridPageResource.text("vit", form.getFirst("vit")),
                    ImageGridPageResource.text("hybrid", form.getFirst("hybrid")));
            List<Integer> layers = Params.layers(form.getFirst("layers"));
            if (layers.isEmpty() || layers.size() > 12) {
                throw new InvalidInputException("layers: give 1 to 12 block numbers, e.g. 1, 2; got " + layers.size());
            }
            List<NewRun> batch = new ArrayList<>();
            for (int layer : layers) {
                for (String model : models) {
                    batch.add(new NewRun(reconstruction.name(), model, null, params.deepCopy().put("layer", layer)));
                }
            }
            String ids = String.join(",", runs.submitAll(batch).stream().map(RunRecord::id).toList());
            return Response.seeOther(URI.create("/images/compare/view?runs=" + ids)).build();
        } catch (RuntimeException e) {
            ApiError error = ApiErrors.body(ApiErrors.unwrap(e));
            return Response.status(error.status()).entity(Templates.imageCompare(ImageGridPageResource.vits(listing), error.error()).render()).build();
        }
    }

    @GET
    @Path("/view")
    public String view(@QueryParam("runs") String ids) {
        List<RunRecord> all = find(ids);
        List<String> models = all.stream().map(RunRecord::model).distinct().toList();
        List<Row> rows = new ArrayList<>();
        boolean finished = true;
        for (int i = 0; i < all.size(); i += models.size()) {
            List<Tile> tiles = new ArrayList<>();
            for (int j = i; j < Math.min(i + models.size(), all.size()); j++) {
                tiles.add(new Tile(j, all.get(j), tile(all.get(j), null)));
                finished &= all.get(j).state().finished();
            }
            rows.add(new Row(all.get(i).params().path("layer").asInt(), tiles));
        }
        return Templates.imageCompareView(ids, all.get(0).params().path("target").asText(), models, rows, finished).render();
    }

    /** Each unfinished run's tile again at each snapshot and at its end; {@code done} when all are finished. */
    @GET
    @Blocking
    @Path("/tiles")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> tiles(@QueryParam("runs") String ids, @Context Sse sse) {
        List<RunRecord> all = find(ids);
        List<Multi<OutboundSseEvent>> tiles = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            int index = i;
            String id = all.get(i).id();
            if (!all.get(i).state().finished()) {
                // the run as stored first (a "done" that reads the store), in case it finished between the page and this stream
                Multi<RunEvent> events = Multi.createBy().concatenating().streams(Multi.createFrom().item(new RunEvent(0, "done", "{}")),
                        feed.fromNow(id));
                tiles.add(events.emitOn(Infrastructure.getDefaultWorkerPool()).filter(e -> e.type().equals("done") || e.type().equals("step") && snapshot(e) != null)
                        .map(e -> {
                            RunRecord run = runs.find(id);
                            String html = Templates.imageCompareView$tile(index, run, tile(run, e.type().equals("done") ? null : snapshot(e))).render();
                            return sse.newEventBuilder().name("tile-" + index).data(html.strip()).build();
                        }));
            }
        }
        return Multi.createBy().concatenating().streams(Multi.createBy().merging().withConcurrency(Math.max(1, tiles.size())).streams(tiles),
                Multi.createFrom().item(() -> sse.newEventBuilder().name("done").data(RunFragments.finished()).build()));
    }

    /** A tile's picture: the finished run's cell, or the latest snapshot's step fragment while it runs. */
    private String tile(RunRecord run, JsonNode step) {
        if (run.result() != null) {
            return views.cell(run);
        }
        return step == null ? "" : views.event(run, "step", step).orElse("");
    }

    private JsonNode snapshot(RunEvent e) {
        JsonNode data = e.json();
        return data.has("snapshot") ? data : null;
    }

    private List<RunRecord> find(String ids) {
        List<String> list = Arrays.stream(ids == null ? new String[0] : ids.split(",")).filter(s -> !s.isBlank()).toList();
        if (list.isEmpty() || list.size() > 64) {
            throw new InvalidInputException("runs: give the comparison's run ids, comma-separated (1 to 64)");
        }
        List<RunRecord> all = list.stream().map(runs::find).toList();
        if (!all.stream().allMatch(reconstruction::ran)) {
            throw new InvalidInputException("runs: a comparison shows " + reconstruction.name() + " runs only");
        }
        return all;
    }
}
