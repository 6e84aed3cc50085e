package io.lensboard.analysis;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lensboard.analysis.InputReconstruction.Optimizer;
import io.lensboard.model.LoadedModel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import io.lensboard.model.VisionConfig;

/**
 * Image reconstruction (write-up "language model representations and features", GPT-2 vs ViT): gradient descent on
 * pixel_values x so that block l's output h_l(x) matches the target image's h_l(x*). Each step t, in the write-up's
 * order: loss(x_t) = l1 (mean |h_l(x_t) − h_l(x*)|, PyTorch's l1_loss) or l2 (the mean square), then
 * x_{t+1} = x_t − lr · ∇loss (or lr · Adam's direction). Stepwise like {@link ImageAscent}: each call runs on the
 * device thread, each step's arrays live in that step's manager.
 */
public final class ImageReconstruction implements AutoCloseable {

    public enum Loss { L1, L2 }

    public record Params(int layer, Loss loss, Optimizer optimizer, double lr) {}

    /** Step t (0-based) and loss(x_t), before its update. */
    public record Step(int step, double loss) {}

    private final LoadedModel model;
    private final Params p;
    private final NDManager run;
    private final NDArray x;      // pixel_values [1, C, H, W], updated in place
    private final NDArray target; // h_l(x*), a constant
    private final Adam adam;
    private int n;

    /** {@code start} and {@code targetPixels}: pixel_values [C * H * W] in C order. */
    public ImageReconstruction(LoadedModel model, Params p, float[] start, float[] targetPixels) {
        if (p.layer() < 1 || p.layer() > model.config().nLayers()) {
            throw new InvalidInputException("layer must be a block of the model, 1.." + model.config().nLayers() + "; got " + p.layer());
        }
        VisionConfig v = model.images().vision();
        Shape shape = new Shape(1, v.channels(), v.imageSize(), v.imageSize());
        this.model = model;
        this.p = p;
        this.run = model.newScope();
        this.x = run.create(start, shape);
        try (NDManager scope = run.newSubManager()) {
            NDArray out = ImageActivations.blockOutput(model, p.layer(), scope.create(targetPixels, shape));
            this.target = run.create(out.toFloatArray(), out.getShape());
        }
        adam = p.optimizer() == Optimizer.ADAM ? new Adam(run, shape) : null;
    }

    /** One step; returns loss(x_t) before the update. */
    public Step step() {
        double loss;
        try (NDManager stepScope = run.newSubManager()) {
            NDArray xs = Scopes.copy(x, stepScope);
            xs.setRequiresGradient(true);
            NDArray grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss(ImageActivations.blockOutput(model, p.layer(), xs), Scopes.copy(target, stepScope));
                gc.backward(l);
                loss = l.getFloat();
                grad = xs.getGradient();
            }
            NDArray direction = adam != null ? adam.direction(grad, stepScope) : grad;
            // x_{t+1} = x_t − lr · ∇loss(x_t)
            x.set(Scopes.copy(x, stepScope).sub(direction.mul((float) p.lr())).toFloatArray());
        }
        return new Step(n++, loss);
    }

    /** Between steps: the step count, x and Adam's moments; the target h_l(x*) is computed again by the constructor. */
    public void save(DataOutput out) throws IOException {
        Snapshots.writeStep(out, n, x, adam);
    }

    /** Continues from a {@link #save} of a run of the same model, parameters, start and target. */
    public void restore(DataInput in) throws IOException {
        n = Snapshots.readStep(in, run, x, adam, "image");
    }

    /** The loss at the current image (after the last step: losses[steps]). */
    public double loss() {
        try (NDManager scope = run.newSubManager()) {
            return loss(ImageActivations.blockOutput(model, p.layer(), Scopes.copy(x, scope)), Scopes.copy(target, scope)).getFloat();
        }
    }

    private NDArray loss(NDArray out, NDArray want) {
        return p.loss() == Loss.L1 ? ImageOps.l1(out, want) : ImageOps.l2(out, want);
    }

    /** The current pixel_values [C * H * W]. */
    public float[] pixels() {
        return x.toFloatArray();
    }

    @Override
    public void close() {
        run.close();
    }
}
