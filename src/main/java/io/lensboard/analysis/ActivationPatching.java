package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.Intervention;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Transformer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Activation patching (TransformerLens's {@code patching}): the corrupted prompt's run with one activation replaced by
 * the clean prompt's, scored by m = logit(answer) − logit(wrong) at the last position. A cell is (layer, position) for
 * the sites resid_pre, attn_out and mlp_out, or (layer, head) for the site head (that head's hook_result at every
 * position). One layer's cells are one batched pass: row b patches the b-th column that changes anything, and the pass
 * starts at the patched block from the corrupted run's resid_pre there (what comes before is the corrupted run's,
 * whatever is patched; the head site's rows share block l's attention and differ from its output on). A cell whose clean activation equals the corrupted one bit for bit (a position before the
 * first differing token, or one where the prompts agree at block 0's resid_pre) is the corrupted run itself: its m is
 * m_corrupted, not recomputed in a batch whose sums would round differently (by about 1e-6), so it normalises to
 * exactly 0.
 * Run on the model's device thread; the instance owns its arrays until {@link #close}.
 */
public final class ActivationPatching implements AutoCloseable {

    /** Where a cell's activation is taken from and put back: a hook point of block l. */
    public enum Site {
        RESID_PRE, ATTN_OUT, MLP_OUT, HEAD;

        public String hook(int l) {
            return switch (this) {
                case RESID_PRE -> Hooks.residPre(l);
                case ATTN_OUT -> Hooks.attnOut(l);
                case MLP_OUT -> Hooks.mlpOut(l);
                case HEAD -> Hooks.result(l);
            };
        }

        /** The API's name: resid_pre, attn_out, mlp_out, head. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Site of(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    /** Two prompts of the same length, the answer and wrong token ids, the site and the 0-based layers to patch. */
    public record Request(long[] clean, long[] corrupted, long answer, long wrong, Site site, int[] layers) {}

    /** One finished layer: m with each column (position or head) patched. */
    public record Row(int index, int layer, double[] metric) {}

    /** The most floats one block of a batched pass may hold at once (1 GiB). */
    static final long PASS_FLOATS = 1L << 28;

    private final LoadedModel model;
    private final Transformer tf;
    private final Request request;
    private final NDManager scope;
    private final int columns;
    private final NDArray[] cleanSite;
    private final NDArray[] corruptedSite;
    private final NDArray[] corruptedResidPre;
    private final double cleanMetric;
    private final double corruptedMetric;
    private int next;

    /** Runs the clean and the corrupted prompt once, keeping what the patched passes need. */
    public ActivationPatching(LoadedModel model, Request request) {
        if (request.clean().length != request.corrupted().length) {
            throw new InvalidInputException("clean is " + request.clean().length + " tokens and corrupted is "
                    + request.corrupted().length + " tokens: patching needs prompts of the same length");
        }
        this.model = model;
        this.tf = model.transformer();
        this.request = request;
        this.columns = request.site() == Site.HEAD ? model.config().nHeads() : request.clean().length;
        this.scope = model.newScope();
        int[] layers = request.layers();
        Set<String> cleanHooks = new HashSet<>();
        Set<String> corruptedHooks = new HashSet<>();
        for (int l : layers) {
            cleanHooks.add(request.site().hook(l));
            corruptedHooks.add(request.site().hook(l));
            corruptedHooks.add(Hooks.residPre(l));
        }
        // the two runs' other arrays (every block's attention and MLP) are freed once the kept ones are taken out
        try (NDManager runs = scope.newSubManager()) {
            ActivationCache clean = ActivationCache.of(cleanHooks::contains);
            ActivationCache corrupted = ActivationCache.of(corruptedHooks::contains);
            cleanMetric = metric(pass(request.clean(), clean, runs))[0];
            corruptedMetric = metric(pass(request.corrupted(), corrupted, runs))[0];
            cleanSite = new NDArray[layers.length];
            corruptedSite = new NDArray[layers.length];
            corruptedResidPre = new NDArray[layers.length];
            for (int i = 0; i < layers.length; i++) {
                cleanSite[i] = kept(clean.get(request.site().hook(layers[i])));
                corruptedSite[i] = kept(corrupted.get(request.site().hook(layers[i])));
                corruptedResidPre[i] = kept(corrupted.get(Hooks.residPre(layers[i])));
            }
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
    }

    public double cleanMetric() {
        return cleanMetric;
    }

    public double corruptedMetric() {
        return corruptedMetric;
    }

    /** Positions or heads: the grid's columns. */
    public int columns() {
        return columns;
    }

    public boolean finished() {
        return next == request.layers().length;
    }

    /**
     * The next layer's row: one pass from that block over the columns whose patch changes the activation (in batches
     * of {@link #rowsPerPass()}), batch row b with the b-th of them patched; the other columns' m is m_corrupted.
     */
    public Row next() {
        int i = next;
        int l = request.layers()[i];
        double[] metric = new double[columns];
        Arrays.fill(metric, corruptedMetric);
        int[] changed = changed(cleanSite[i], corruptedSite[i]);
        int rows = rowsPerPass();
        for (int from = 0; from < changed.length; from += rows) {
            int[] patched = Arrays.copyOfRange(changed, from, Math.min(changed.length, from + rows));
            double[] m = patchedPass(i, patched);
            for (int b = 0; b < patched.length; b++) {
                metric[patched[b]] = m[b];
            }
        }
        next++;
        return new Row(i, l, metric);
    }

    /**
     * m for a batch whose row b patches column {@code patched[b]} of layer {@code layers()[i]}: block by block from the
     * corrupted resid_pre there, each block's intermediate arrays freed once its output is kept.
     */
    private double[] patchedPass(int i, int[] patched) {
        int l = request.layers()[i];
        boolean heads = request.site() == Site.HEAD;
        try (NDManager pass = scope.newSubManager()) {
            Intervention patch = heads ? headDelta(i, patched, pass) : patch(l, cleanSite[i], patched);
            // the head site's rows share block l's attention: one row enters, the patch makes B of its output
            NDArray h = heads ? corruptedResidPre[i].duplicate() : corruptedResidPre[i].repeat(0, patched.length);
            h.attach(pass);
            for (int b = l; b < model.config().nLayers(); b++) {
                try (NDManager block = pass.newSubManager()) {
                    h.attach(block);
                    NDArray out = tf.forwardFrom(b, h, Forward.residualAfter(b + 1), ActivationCache.none().with(patch));
                    out.attach(pass);
                    h = out;
                }
            }
            return metric(h);
        }
    }

    /**
     * Rows per batched pass: a block's intermediates per row (attention scores, the MLP's hidden layer and the
     * residual-width arrays, with room for the ops between) kept under {@link #PASS_FLOATS}.
     */
    private int rowsPerPass() {
        long t = request.clean().length;
        ModelConfig c = model.config();
        long perRow = 8L * c.nHeads() * t * t + 32L * t * c.dMlp() + 48L * t * c.dModel();
        return (int) Math.max(1, Math.min(columns, PASS_FLOATS / perRow));
    }

    /**
     * The head site's patch, added where the heads' outputs are already summed: row b's hook_attn_out is the
     * corrupted one plus (clean − corrupted) hook_result of head {@code patched[b]}, which is Σ_h hook_result + b_O
     * with that head's term swapped. Block l's attention is then computed once for all rows, and no row makes
     * hook_result [T, heads, d_model]; the sum's order differs from a pass that patches hook_result itself by a
     * rounding (about 1e-6 in m).
     */
    private Intervention headDelta(int i, int[] patched, NDManager pass) {
        String hook = Hooks.attnOut(request.layers()[i]);
        NDArray difference = cleanSite[i].sub(corruptedSite[i]); // made in the patching's scope: the pass owns it
        difference.attach(pass);
        NDArray delta = difference.squeeze(0); // [T, heads, d_model]
        NDArray[] rows = new NDArray[patched.length];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = delta.get(new NDIndex(":, {}, :", patched[b]));
        }
        NDArray swap = NDArrays.stack(new NDList(rows)); // [B, T, d_model]
        return Intervention.at(hook, attnOut -> attnOut.add(swap)); // [1, T, d] + [B, T, d]: the pass goes on with B rows
    }

    /** Arrays the patching holds between rows: the activations kept from the two prompts' runs, unless a row leaks (tested). */
    int heldArrays() {
        return scope.getManagedArrays().size();
    }

    /** The columns (positions, or heads) where the clean activation differs from the corrupted one in any bit. */
    private int[] changed(NDArray clean, NDArray corrupted) {
        float[] a = clean.toFloatArray();
        float[] b = corrupted.toFloatArray();
        Shape s = clean.getShape();
        boolean heads = request.site() == Site.HEAD;
        long inner = heads ? s.get(3) : s.get(2); // values per (position, head) or per position
        BitSet changed = new BitSet(columns);
        for (int k = 0; k < a.length; k++) {
            if (Float.floatToRawIntBits(a[k]) != Float.floatToRawIntBits(b[k])) {
                long unit = k / inner; // position (× heads + head)
                changed.set((int) (heads ? unit % s.get(2) : unit));
            }
        }
        return changed.stream().toArray();
    }

    /**
     * One cell the plain way, for comparison (the benchmark's baseline): a whole forward pass of the corrupted prompt
     * from its embeddings, batch 1, with layer {@code layers()[i]}'s column {@code column} patched.
     */
    public double unbatchedCell(int i, int column) {
        try (NDManager step = scope.newSubManager()) {
            NDArray ids = step.create(request.corrupted()).reshape(1, request.corrupted().length);
            NDArray resid = tf.forward(tf.embed(ids), Forward.residualAfter(model.config().nLayers()),
                    ActivationCache.none().with(patch(request.layers()[i], cleanSite[i], new int[] {column})));
            return metric(resid)[0];
        }
    }

    /** (m − m_corrupted) / (m_clean − m_corrupted): 0 is the corrupted run's metric, 1 the clean run's. */
    public double normalized(double m) {
        return (m - corruptedMetric) / (cleanMetric - corruptedMetric);
    }

    /** An activation of the two runs, moved to the patching's own scope. */
    private NDArray kept(NDArray activation) {
        activation.attach(scope);
        return activation;
    }

    private NDArray pass(long[] ids, ActivationCache cache, NDManager runs) {
        NDArray x = runs.create(ids).reshape(1, ids.length);
        return tf.forward(tf.embed(x), Forward.residualAfter(model.config().nLayers()), cache);
    }

    /** m per batch row, from the residual after the last block [B, T, d_model]: only the last position is decoded. */
    private double[] metric(NDArray resid) {
        long t = resid.getShape().get(1);
        NDArray last = resid.get(new NDIndex(":, {}:{}, :", t - 1, t));
        NDArray logits = tf.unembed(tf.finalNorm(last)).toType(DataType.FLOAT32, false); // [B, 1, V]
        float[] answer = logits.get(new NDIndex(":, 0, {}", request.answer())).toFloatArray();
        float[] wrong = logits.get(new NDIndex(":, 0, {}", request.wrong())).toFloatArray();
        double[] m = new double[answer.length];
        for (int b = 0; b < m.length; b++) {
            m[b] = (double) answer[b] - wrong[b];
        }
        return m;
    }

    /**
     * At block l's site, row b takes the clean activation at column {@code patched[b]}: a position of
     * [B, T, d_model], or a head of hook_result [B, T, heads, d_model] at every position. where() copies the chosen
     * values unchanged, so a patch equal to the corrupted activation leaves the pass exactly as it was.
     */
    private Intervention patch(int l, NDArray clean, int[] patched) {
        String hook = request.site().hook(l);
        boolean heads = request.site() == Site.HEAD;
        return Intervention.at(hook, activation -> {
            Shape s = activation.getShape();
            int rows = patched.length;
            int width = (int) (heads ? s.get(2) : s.get(1));
            boolean[] chosen = new boolean[rows * width];
            for (int b = 0; b < rows; b++) {
                chosen[b * width + patched[b]] = true;
            }
            NDManager pass = activation.getManager();
            NDArray mask = pass.create(chosen).reshape(heads ? new Shape(rows, 1, width, 1) : new Shape(rows, width, 1)).broadcast(s);
            // where()'s answer is made in clean's broadcast's manager and the block goes on from it: the pass's, not
            // the patching's scope, or every patched block's arrays would stay until the patching closes
            NDArray source = clean.broadcast(s);
            source.attach(pass);
            return NDArrays.where(mask, source, activation);
        });
    }

    @Override
    public void close() {
        scope.close();
    }
}
