package io.lensboard.runs.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.analysis.Feature;
import io.lensboard.analysis.ImageAscent;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.analysis.PixelImages;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.VisionConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.Checkpointed;
import io.lensboard.runs.FeatureKind;
import io.lensboard.runs.FeatureRun;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.Pictures;
import io.lensboard.runs.RunFiles;
import io.lensboard.runs.Seeded;
import io.lensboard.runs.SeededRun;
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
 * Run kind "image-ascent" (feature maps, write-up "language model representations and features"): {@link ImageAscent}
 * on a ViT or a hybrid, one device task per step. Event {@code step} t carries f(x_t) (the value before step t's
 * update), and every {@code snapshot_every} steps x_t as a PNG data URL and the per-patch change ‖x_t − x_0‖; a last
 * event t = steps carries f(x_steps). An alignment table of this kind is the write-up's grid (features × blocks).
 */
@Singleton
public class ImageAscentKind extends AbstractRunKind<ImageAscentKind.Params> implements FeatureKind<ImageAscentKind.Params>, Seeded<ImageAscentKind.Params>,
        Pictures, Checkpointed<ImageAscentKind.Params> {

    public record Params(
            @Schema(defaultValue = "1", minimum = "1", maximum = "1000", description = "block l (1-based): the feature is read from blocks.{l-1}.hook_resid_post") int layer,
            @Schema(required = true, example = "[:, :, 5]", description = "[:, :, n]: neuron n over all tokens; [:, t, :]: all neurons of token t (0 = CLS, t = patch t−1); ranges and lists as a-b, a:b") String feature,
            @Schema(defaultValue = "100", minimum = "1", maximum = "100000", description = "ascent steps") int steps,
            @Schema(defaultValue = "0.05", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "learning rate: x ← x + lr·∇f (gd) or lr·Adam's step") double lr,
            @Schema(defaultValue = "adam", enumeration = {"adam", "gd"}, description = "Adam, or plain gradient ascent x ← x + lr·∇f") String optimizer,
            @Schema(defaultValue = "noise", maxLength = 200, example = "image:builtin:shapes", description = "noise (seeded, uniform over the valid pixel range), or image:ID") String start,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the noise start and the jitter") long seed,
            @Schema(defaultValue = "0", minimum = "0", maximum = "100", description = "σ of the Gaussian blur after each update (0 = off)") double blurSigma,
            @Schema(defaultValue = "0", minimum = "0", maximum = "1000", description = "largest random shift in pixels before each gradient (0 = off)") int jitter,
            @Schema(defaultValue = "false", description = "keep pixels in the range the processor can make") boolean clamp,
            @Schema(minimum = "1", maximum = "100000", description = "an image every k steps on the live page (default: 10, at most steps)") Integer snapshotEvery) implements FeatureRun, SeededRun {
    }

    /** values[t] = f(x_t), t = 0..steps; image and tensor are URLs of the final x as PNG and as safetensors. */
    public record Result(List<Double> values, double value, String image, String tensor) {}

    private final ImageInputs inputs;
    private final RunFiles files;

    @Inject
    public ImageAscentKind(ImageInputs inputs, RunFiles files) {
        super("image-ascent", "Feature map: gradient ascent on an image", Params.class);
        this.inputs = inputs;
        this.files = files;
    }

    @Override
    public boolean takesImages() {
        return true;
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        Feature f = FeatureChecks.check(p.layer(), p.feature(), config);
        config.map(ModelConfig::vision).ifPresent(v -> {
            f.slice().checkPositions(v.tokens());
            ParamSchema.range("jitter", p.jitter(), 0, v.imageSize() - 1);
        });
        inputs.check("start", p.start(), true);
        int snapshotEvery = p.snapshotEvery() == null ? Math.min(10, p.steps()) : p.snapshotEvery();
        ParamSchema.range("snapshot_every", snapshotEvery, 1, p.steps());
        return new Params(p.layer(), f.slice().text(), p.steps(), p.lr(), p.optimizer(), p.start(), p.seed(), p.blurSigma(),
                p.jitter(), p.clamp(), snapshotEvery);
    }

    @Override
    public void prepare(Params p) {
        inputs.prepare(p.start());
    }

    @Override
    public SavableJob open(LoadedModel model, Params p, Progress progress) {
        return job(model, p, ascent(model, p), new ArrayList<>());
    }

    @Override
    public SavableJob resume(LoadedModel model, Params p, DataInput state) throws IOException {
        ImageAscent a = ascent(model, p);
        try {
            List<Double> values = Checkpointed.readSeries(state);
            a.restore(state);
            return job(model, p, a, values);
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    private ImageAscent ascent(LoadedModel model, Params p) {
        complete(p, Optional.of(model.config())); // a hub model's config is known only now
        Feature feature = FeatureChecks.check(p.layer(), p.feature(), Optional.empty());
        return new ImageAscent(model, new ImageAscent.Params(feature, Optimizer.valueOf(p.optimizer().toUpperCase()),
                p.lr(), p.blurSigma(), p.clamp()), inputs.pixels(model, p.start(), p.seed()), ImageAscent.Shifts.random(p.jitter(), p.seed()));
    }

    /** The run's job over {@code a}, with f(x_t) of the steps done so far. */
    private SavableJob job(LoadedModel model, Params p, ImageAscent a, List<Double> values) {
        VisionConfig v = model.images().vision();
        return new SavableJob() {
            @Override
            public void save(DataOutput out) throws IOException {
                Checkpointed.writeSeries(out, values);
                a.save(out);
            }

            @Override
            public boolean finished() {
                return values.size() == p.steps() + 1;
            }

            /** Steps 0..steps−1 read f(x_t) and update; the last call reads f(x_steps). */
            @Override
            public void step(Progress out) {
                int t = values.size();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("step", t);
                if (t % p.snapshotEvery() == 0 || t == p.steps()) {
                    snapshot(event, a.pixels(), a.patchChange(), v);
                }
                double value = t < p.steps() ? a.step().value() : a.value();
                values.add(value);
                event.put("value", value);
                event.put("progress", (double) t / p.steps());
                out.emit("step", event);
            }

            @Override
            public Object result() {
                float[] x = a.pixels();
                return new Result(values, values.get(values.size() - 1), files.save(PixelImages.png(x, v), "png"),
                        files.save(ImageFiles.safetensors(x, v), "safetensors"));
            }

            @Override
            public void close() {
                a.close();
            }
        };
    }

    @Override
    public String picture(String type, JsonNode data) {
        return snapshot(type, data);
    }

    /** The x_t a step event of either image kind carries every snapshot_every steps, or null. */
    static String snapshot(String type, JsonNode data) {
        return "step".equals(type) && data.hasNonNull(SNAPSHOT) ? data.get(SNAPSHOT).asText() : null;
    }

    private static final String SNAPSHOT = "snapshot";

    /** x_t as a PNG data URL for the live page, and the per-patch change in raster order over the grid. */
    static void snapshot(Map<String, Object> event, float[] x, double[] patchChange, VisionConfig v) {
        event.put(SNAPSHOT, PixelImages.dataUrl(x, v));
        if (patchChange != null) {
            double max = 0;
            for (double d : patchChange) {
                max = Math.max(max, d);
            }
            event.put("grid", v.grid());
            event.put("patch_change", patchChange);
            event.put("patch_change_max", max);
        }
    }
}
