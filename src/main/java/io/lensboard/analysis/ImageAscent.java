package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.ImageProcessor;
import io.lensboard.model.LoadedModel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import io.lensboard.model.VisionConfig;
import java.util.SplittableRandom;

/**
 * Feature maps (write-up "language model representations and features"): gradient ascent on pixel_values x to
 * maximise a feature f of block l's output. Each step t, in the write-up's order: f(x_t) on the image as it is;
 * g = ∇_x f(roll(x_t, dy_t, dx_t)) (the gradient through the jitter, none when jitter is 0);
 * x_{t+1} = x_t + lr · g (or lr · Adam's direction); then the blur (when blur_sigma > 0) and the clamp to the
 * pixels' valid range (when asked). No gradient normalisation. Stepwise like {@link FeatureAscent}: each call
 * runs on the device thread, each step's arrays live in that step's manager.
 */
public final class ImageAscent implements AutoCloseable {

    /** (dy, dx) for step t; seeded random shifts in [-jitter, jitter] unless a caller replays given ones. */
    @FunctionalInterface
    public interface Shifts {
        int[] at(int step);

        /** Seeded shifts in [-jitter, jitter], drawn one pair per call in step order; (0, 0) when jitter is 0. */
        static Shifts random(int jitter, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            return step -> jitter == 0 ? new int[] {0, 0}
                    : new int[] {rng.nextInt(-jitter, jitter + 1), rng.nextInt(-jitter, jitter + 1)};
        }
    }

    public record Params(Feature feature, Optimizer optimizer, double lr, double blurSigma, boolean clamp) {}

    /** Step t (0-based) and f(x_t), the value before its update. */
    public record Step(int step, double value) {}

    private final LoadedModel model;
    private final Params p;
    private final Shifts shifts;
    private final NDManager run;
    private final NDArray x;        // pixel_values [1, C, H, W], updated in place
    private final NDArray x0;       // the start, for the per-patch change ||x_n - x_0||
    private final NDArray low;      // [1, C, 1, 1]: the valid range, for the clamp
    private final NDArray high;
    private final Adam adam;
    private int n;

    /** {@code start}: pixel_values [C * H * W] in C order. */
    public ImageAscent(LoadedModel model, Params p, float[] start, Shifts shifts) {
        p.feature().checkFor(model);
        VisionConfig v = model.images().vision();
        p.feature().slice().checkPositions(v.tokens());
        Shape shape = new Shape(1, v.channels(), v.imageSize(), v.imageSize());
        if (start.length != shape.size()) {
            throw new InvalidInputException("the start image has " + start.length + " values; the model needs " + shape);
        }
        this.model = model;
        this.p = p;
        this.shifts = shifts;
        this.run = model.newScope();
        this.x = run.create(start, shape);
        this.x0 = x.duplicate();
        ImageProcessor processor = v.processor();
        float[] lo = new float[v.channels()];
        float[] hi = new float[v.channels()];
        for (int c = 0; c < lo.length; c++) {
            lo[c] = processor.low(c);
            hi[c] = processor.high(c);
        }
        low = run.create(lo, new Shape(1, lo.length, 1, 1));
        high = run.create(hi, new Shape(1, hi.length, 1, 1));
        adam = p.optimizer() == Optimizer.ADAM ? new Adam(run, shape) : null;
    }

    /** One step; returns f(x_t) before the update. */
    public Step step() {
        int[] shift = shifts.at(n);
        boolean jittered = shift[0] != 0 || shift[1] != 0;
        double value;
        try (NDManager stepScope = run.newSubManager()) {
            NDArray xs = Scopes.copy(x, stepScope);
            value = jittered ? ImageActivations.feature(model, p.feature(), xs).getFloat(0) : Double.NaN;
            xs.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray f = ImageActivations.feature(model, p.feature(), ImageOps.roll(xs, shift[0], shift[1])).sum();
                gc.backward(f);
                value = jittered ? value : f.getFloat();
                grad = xs.getGradient();
            }
            NDArray direction = adam != null ? adam.direction(grad, stepScope) : grad;
            // x_{t+1} = x_t + lr · ∇f(x_t)
            NDArray next = Scopes.copy(x, stepScope).add(direction.mul((float) p.lr()));
            if (p.blurSigma() > 0) {
                next = ImageOps.gaussianBlur(next, p.blurSigma());
            }
            if (p.clamp()) {
                next = next.maximum(low).minimum(high);
            }
            x.set(next.toFloatArray());
        }
        return new Step(n++, value);
    }

    /** Between steps: the step count, x and Adam's moments; the start x_0 and the range are made again by the constructor. */
    public void save(DataOutput out) throws IOException {
        Snapshots.writeStep(out, n, x, adam);
    }

    /**
     * Continues from a {@link #save} of a run of the same model, parameters and start: the shifts, drawn one pair
     * per step in step order, are drawn again up to step n so the next step gets the pair it would have got.
     */
    public void restore(DataInput in) throws IOException {
        n = Snapshots.readStep(in, run, x, adam, "image");
        for (int t = 0; t < n; t++) {
            shifts.at(t);
        }
    }

    /** f at the current image (after the last step: values[steps]). */
    public double value() {
        try (NDManager scope = run.newSubManager()) {
            return ImageActivations.feature(model, p.feature(), Scopes.copy(x, scope)).getFloat(0);
        }
    }

    /** The current pixel_values [C * H * W]. */
    public float[] pixels() {
        return x.toFloatArray();
    }

    /** ||x_n - x_0|| over each patch's C x P x P entries, patches in raster order. */
    public double[] patchChange() {
        VisionConfig v = model.images().vision();
        float[] now = x.toFloatArray();
        float[] start = x0.toFloatArray();
        int side = v.imageSize();
        int patch = v.patchSize();
        double[] sq = new double[v.grid() * v.grid()];
        for (int i = 0; i < now.length; i++) {
            int row = (i / side) % side;
            int col = i % side;
            double d = now[i] - start[i];
            sq[(row / patch) * v.grid() + col / patch] += d * d;
        }
        for (int q = 0; q < sq.length; q++) {
            sq[q] = Math.sqrt(sq[q]);
        }
        return sq;
    }

    /** Arrays the run holds between steps; constant over steps unless a step leaks (tested). */
    int heldArrays() {
        return run.getManagedArrays().size();
    }

    @Override
    public void close() {
        run.close();
    }
}
