package io.lensboard.web.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.runs.NewRun;
import io.lensboard.runs.RunKinds;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunService;
import io.lensboard.runs.TargetRun;
import io.lensboard.web.common.Params;
import io.lensboard.web.common.RefusedForm;
import io.lensboard.web.grids.GridStream;
import io.lensboard.web.runs.RunViews;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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
    /** The figure's kind; a tile shows its pictures as they come. */
    private static final String KIND = "image-reconstruction";

    @CheckedTemplate(basePath = "")
    static class Templates {
        static native TemplateInstance imageCompare(List<String> models, String vit, String hybrid, RefusedForm refused);

        static native TemplateInstance imageCompareView(String ids, String target, List<String> models, List<Row> rows, boolean finished);

        static native TemplateInstance imageCompareView$tile(int index, RunRecord run, String html);
    }

    /** One block: its runs' tiles (a tile: a run, as stored now, and its picture), one per model. */
    public record Row(int layer, List<Tile> tiles) {}
    public record Tile(int index, RunRecord run, String html) {}

    @Inject
    RunService runs;
    @Inject
    GridStream stream;
    @Inject
    RunViews views;
    @Inject
    ImageForms images;
    @Inject
    RunKinds kinds;

    @GET
    public String form() {
        return compareForm(RefusedForm.NONE).render();
    }

    /** The form, offering every image model; by default the first ViT against the first hybrid. */
    private TemplateInstance compareForm(RefusedForm refused) {
        List<String> models = images.models();
        return Templates.imageCompare(models, ImageForms.first(models, false), ImageForms.first(models, true), refused);
    }

    /** Starts one run per (block, model) together (or none) and goes to their page. */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(MultivaluedMap<String, String> form) {
        try {
            ObjectNode params = images.params(KIND, form);
            List<String> models = List.of(ImageForms.model("vit", form.getFirst("vit")), ImageForms.model("hybrid", form.getFirst("hybrid")));
            List<NewRun> batch = ImageForms.perBlockAndModel(KIND, params, Params.layers(form.getFirst("layers")), models);
            String ids = String.join(",", runs.submitAll(batch).stream().map(RunRecord::id).toList());
            return Response.seeOther(URI.create("/images/compare/view?runs=" + ids)).build();
        } catch (RuntimeException e) {
            RefusedForm refused = RefusedForm.of(e, form);
            return refused.respond(compareForm(refused));
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
            rows.add(new Row(params(all.get(i)).layer(), tiles));
        }
        return Templates.imageCompareView(ids, params(all.get(0)).target(), models, rows, finished).render();
    }

    private TargetRun params(RunRecord run) { // find() checked the kind, whose parameters name a target and a block
        return (TargetRun) kinds.params(run);
    }

    /** Each run's tile again at each new picture and at its end ({@link GridStream}); {@code done} when all are finished. */
    @GET
    @Blocking
    @Path("/tiles")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> tiles(@QueryParam("runs") String ids, @Context Sse sse) {
        List<String> all = find(ids).stream().map(RunRecord::id).toList();
        return stream.of(all, sse, (cells, c) -> c.stored() || c.newPicture()
                ? List.of(sse.newEventBuilder().name("tile-" + c.cell())
                        .data(Templates.imageCompareView$tile(c.cell(), c.run(), tile(c.run(), c.progress())).render().strip()).build())
                : List.of());
    }

    private String tile(RunRecord run, JsonNode step) { // the finished run's cell, or its latest picture's step fragment
        return run.result() != null ? views.cell(run) : step == null ? "" : views.event(run, "step", step).orElse("");
    }

    private List<RunRecord> find(String ids) {
        List<String> list = Arrays.stream(ids == null ? new String[0] : ids.split(",")).filter(s -> !s.isBlank()).distinct().toList();
        if (list.isEmpty() || list.size() > 64) {
            throw new InvalidInputException("runs: give the comparison's run ids, comma-separated (1 to 64)");
        }
        List<RunRecord> all = list.stream().map(runs::find).toList();
        if (!all.stream().allMatch(r -> kinds.params(r) instanceof TargetRun)) { // a target reconstructed from a block
            throw new InvalidInputException("runs: a comparison shows " + KIND + " runs only");
        }
        return all;
    }
}
