package io.lensboard.runs.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.ImageReconstruction;
import io.lensboard.analysis.ImageReconstruction.Loss;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.analysis.PixelImages;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.VisionConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.Checkpointed;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.Pictures;
import io.lensboard.runs.RunFiles;
import io.lensboard.runs.Seeded;
import io.lensboard.runs.SeededRun;
import io.lensboard.runs.TargetRun;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "image-reconstruction" (write-up "language model representations and features", GPT-2 vs ViT):
 * {@link ImageReconstruction}, one device task per step. A {@code target} event first (the target as the model sees
 * it), then event {@code step} t with loss(x_t) before step t's update, and every {@code snapshot_every} steps x_t as
 * a PNG data URL; a last event t = steps carries loss(x_steps).
 */
@Singleton
public class ImageReconstructionKind extends AbstractRunKind<ImageReconstructionKind.Params>
        implements Seeded<ImageReconstructionKind.Params>, Pictures, Checkpointed<ImageReconstructionKind.Params> {

    public record Params(
            @Schema(required = true, maxLength = 200, example = "image:builtin:shapes", description = "the image to reconstruct, image:ID") String target,
            @Schema(defaultValue = "1", minimum = "1", maximum = "1000", description = "block l (1-based) whose output blocks.{l-1}.hook_resid_post is matched") int layer,
            @Schema(defaultValue = "l1", enumeration = {"l1", "l2"}, description = "mean |h_l(x) − h_l(target)| (l1), or its mean square (l2)") String loss,
            @Schema(defaultValue = "adam", enumeration = {"adam", "gd"}, description = "Adam, or plain gradient descent x ← x − lr·∇loss") String optimizer,
            @Schema(defaultValue = "0.05", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "learning rate") double lr,
            @Schema(defaultValue = "100", minimum = "1", maximum = "100000", description = "optimisation steps") int steps,
            @Schema(defaultValue = "noise", maxLength = 200, example = "noise", description = "noise (seeded, uniform over the valid pixel range), or image:ID") String start,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the noise start") long seed,
            @Schema(minimum = "1", maximum = "100000", description = "an image every k steps on the live page (default: 10, at most steps)") Integer snapshotEvery) implements SeededRun, TargetRun {
    }

    /**
     * losses[t] = loss(x_t), t = 0..steps; image and tensor are URLs of the final x as PNG and as safetensors;
     * target_image the target's URL.
     */
    public record Result(List<Double> losses, double loss, String image, String tensor, String targetImage) {}

    private final ImageInputs inputs;
    private final RunFiles files;

    @Inject
    public ImageReconstructionKind(ImageInputs inputs, RunFiles files) {
        super("image-reconstruction", "Image reconstruction from a block's output", Params.class);
        this.inputs = inputs;
        this.files = files;
    }


    @Override
    public String picture(String type, JsonNode data) {
        return ImageAscentKind.snapshot(type, data);
    }

    @Override
    public boolean takesImages() {
        return true;
    }

    @Override
    public String subject(Params p) {
        return "block " + p.layer() + " of " + p.target();
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        config.ifPresent(c -> ParamSchema.range("layer", p.layer(), 1, c.nLayers()));
        inputs.check("target", p.target(), false);
        inputs.check("start", p.start(), true);
        int snapshotEvery = p.snapshotEvery() == null ? Math.min(10, p.steps()) : p.snapshotEvery();
        ParamSchema.range("snapshot_every", snapshotEvery, 1, p.steps());
        return new Params(p.target(), p.layer(), p.loss(), p.optimizer(), p.lr(), p.steps(), p.start(), p.seed(), snapshotEvery);
    }

    @Override
    public void prepare(Params p) {
        inputs.prepare(p.target());
        inputs.prepare(p.start());
    }

    @Override
    public SavableJob open(LoadedModel model, Params p, Progress progress) {
        complete(p, Optional.of(model.config())); // a hub model's config is known only now
        float[] target = inputs.pixels(model, p.target(), p.seed());
        progress.emit("target", Map.of("snapshot", PixelImages.dataUrl(target, model.images().vision())));
        return job(model, p, reconstruction(model, p, target), new ArrayList<>());
    }

    /** The target event was stored with the run's first attempt: the resumed job emits only its next steps. */
    @Override
    public SavableJob resume(LoadedModel model, Params p, DataInput state) throws IOException {
        complete(p, Optional.of(model.config()));
        ImageReconstruction r = reconstruction(model, p, inputs.pixels(model, p.target(), p.seed()));
        try {
            List<Double> losses = Checkpointed.readSeries(state);
            r.restore(state);
            return job(model, p, r, losses);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private ImageReconstruction reconstruction(LoadedModel model, Params p, float[] target) {
        return new ImageReconstruction(model, new ImageReconstruction.Params(p.layer(),
                Loss.valueOf(p.loss().toUpperCase()), Optimizer.valueOf(p.optimizer().toUpperCase()), p.lr()),
                inputs.pixels(model, p.start(), p.seed()), target);
    }

    /** The run's job over {@code r}, with loss(x_t) of the steps done so far. */
    private SavableJob job(LoadedModel model, Params p, ImageReconstruction r, List<Double> losses) {
        VisionConfig v = model.images().vision();
        return new SavableJob() {
            @Override
            public void save(DataOutput out) throws IOException {
                Checkpointed.writeSeries(out, losses);
                r.save(out);
            }

            @Override
            public boolean finished() {
                return losses.size() == p.steps() + 1;
            }

            /** Steps 0..steps−1 read loss(x_t) and update; the last call reads loss(x_steps). */
            @Override
            public void step(Progress out) {
                int t = losses.size();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("step", t);
                if (t % p.snapshotEvery() == 0 || t == p.steps()) {
                    ImageAscentKind.snapshot(event, r.pixels(), null, v);
                }
                double loss = t < p.steps() ? r.step().loss() : r.loss();
                losses.add(loss);
                event.put("loss", loss);
                event.put("progress", (double) t / p.steps());
                out.emit("step", event);
            }

            @Override
            public Object result() {
                float[] x = r.pixels();
                return new Result(losses, losses.get(losses.size() - 1), files.save(PixelImages.png(x, v), "png"),
                        files.save(ImageFiles.safetensors(x, v), "safetensors"), ImageInputs.url(p.target()));
            }

            @Override
            public void close() {
                r.close();
            }
        };
    }
}
