package io.lensboard.runs.kinds;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lensboard.analysis.ActivationPatching;
import io.lensboard.analysis.ActivationPatching.Site;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.SingleTokens;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.EventRecord;
import io.lensboard.runs.TokenText;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "patching": activation patching ({@link ActivationPatching}) of the corrupted prompt with the clean one's
 * activations, one device task per layer (one batched pass), a {@code step} event per cell. Prompts that give the same
 * metric m leave the normalised score without a scale (0/0): such a run fails at its start, saying so.
 */
@Singleton
public class PatchingKind extends AbstractRunKind<PatchingKind.Params> {

    /** The most positions a run patches: a layer's pass has as many rows, each as long (T² activations per layer). */
    static final int MAX_TOKENS = 256;

    public record Params(
            @Schema(required = true, maxLength = 2000, example = "The cat was happy. The cat", description = "the clean prompt, whose activations are patched in") String clean,
            @Schema(required = true, maxLength = 2000, example = "The dog was happy. The dog", description = "the corrupted prompt, of the same length in tokens, whose run is patched") String corrupted,
            @Schema(required = true, maxLength = 200, example = " was", description = "the answer token: an id, or a text that is one token") String answer,
            @Schema(required = true, maxLength = 200, example = " is", description = "the wrong token: an id, or a text that is one token; m = logit(answer) − logit(wrong) at the last position") String wrong,
            @Schema(defaultValue = "resid_pre", enumeration = {"resid_pre", "attn_out", "mlp_out", "head"}, description = "what is patched: blocks.{l}.hook_resid_pre, hook_attn_out or hook_mlp_out at one position, or one head's attn.hook_result at every position") String site,
            @Schema(maxLength = 2000, example = "0,1,2", description = "the blocks to patch, 0-based, comma-separated, ranges as 2-5 (default: all)") String layers) {
    }

    /**
     * The "target" event, first: both prompts' tokens (which positions differ), the answer and wrong tokens, both
     * metrics and the grid's layers and columns (positions or heads), so that the page can draw the empty heat map.
     */
    public record Target(List<TokenText> clean, List<TokenText> corrupted, boolean[] differs, ScoredToken answer, ScoredToken wrong,
                         double cleanMetric, double corruptedMetric, String site, int[] layers, int[] columns) {}

    /** A "step" event: one cell, m with that position or head patched at that layer, and m normalised. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int layer, Integer position, Integer head, double metric, double normalized, double progress) {}

    /**
     * The result ({@code grid[i]}: m for the i-th layer of {@code layers}, a column per position or head;
     * {@code normalized} the same cells normalised), with the tokens a page needs to label it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(double cleanMetric, double corruptedMetric, String site, int[] layers, int[] positions, int[] heads,
                         double[][] grid, double[][] normalized, List<TokenText> cleanTokens, List<TokenText> corruptedTokens,
                         ScoredToken answer, ScoredToken wrong) {}

    private static final EventRecord<Target> TARGET = new EventRecord<>("target", Target.class);
    private static final EventRecord<Step> STEP = new EventRecord<>("step", Step.class);

    public PatchingKind() {
        super("patching", "Activation patching", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> config) {
        if (p.clean().isEmpty() || p.corrupted().isEmpty()) {
            throw new InvalidInputException("params." + (p.clean().isEmpty() ? "clean" : "corrupted") + " is empty: give both prompts");
        }
        String layers = config.map(c -> text(layers(p.layers(), c.nLayers()))).orElse(p.layers());
        return new Params(Prompts.lineEndings(p.clean()), Prompts.lineEndings(p.corrupted()), p.answer(), p.wrong(), p.site(), layers);
    }

    @Override
    public void checkTokens(Params p, LensTokenizer tokenizer, ModelConfig config) {
        inputs(p, tokenizer, config);
    }

    @Override
    public List<EventRecord<?>> eventRecords() {
        return List.of(TARGET, STEP);
    }

    @Override
    public String subject(Params p) {
        return "\u201c" + p.clean() + "\u201d \u2192 \u201c" + p.corrupted() + "\u201d, " + p.site();
    }

    @Override
    public Job open(LoadedModel model, Params given, Progress progress) {
        Params p = complete(given, Optional.of(model.config()));
        LensTokenizer tok = model.tokenizer();
        ActivationPatching.Request request = inputs(p, tok, model.config());
        ActivationPatching patching = new ActivationPatching(model, request);
        if (patching.cleanMetric() == patching.corruptedMetric()) {
            patching.close();
            throw new InvalidInputException("the prompts give the same metric m = logit(answer) − logit(wrong) = " + patching.cleanMetric()
                    + ", so (m − m_corrupted)/(m_clean − m_corrupted) has no scale: choose prompts whose answers differ");
        }
        Site site = request.site();
        int[] columns = IntStream.range(0, patching.columns()).toArray();
        List<TokenText> clean = TokenText.of(tok.texts(request.clean()));
        List<TokenText> corrupted = TokenText.of(tok.texts(request.corrupted()));
        ScoredToken answer = new ScoredToken(request.answer(), new TokenText(tok.text(request.answer())), patching.cleanMetric());
        ScoredToken wrong = new ScoredToken(request.wrong(), new TokenText(tok.text(request.wrong())), patching.corruptedMetric());
        TARGET.emit(progress, new Target(clean, corrupted, differs(request), answer, wrong, patching.cleanMetric(), patching.corruptedMetric(),
                site.id(), request.layers(), columns));
        double[][] grid = new double[request.layers().length][];
        double[][] normalized = new double[grid.length][];
        return new Job() {
            @Override
            public boolean finished() {
                return patching.finished();
            }

            @Override
            public void step(Progress out) {
                ActivationPatching.Row row = patching.next();
                grid[row.index()] = row.metric();
                normalized[row.index()] = Arrays.stream(row.metric()).map(patching::normalized).toArray();
                for (int c = 0; c < row.metric().length; c++) {
                    double done = (row.index() * (double) columns.length + c + 1) / (grid.length * (double) columns.length);
                    STEP.emit(out, new Step(row.layer(), site == Site.HEAD ? null : c, site == Site.HEAD ? c : null, row.metric()[c],
                            normalized[row.index()][c], done));
                }
            }

            @Override
            public Object result() {
                return new Result(patching.cleanMetric(), patching.corruptedMetric(), site.id(), request.layers(),
                        site == Site.HEAD ? null : columns, site == Site.HEAD ? columns : null, grid, normalized, clean, corrupted, answer, wrong);
            }

            @Override
            public void close() {
                patching.close();
            }
        };
    }

    /** The run's inputs checked against the tokenizer: both prompts as tokens of one length, the two tokens, the layers. */
    static ActivationPatching.Request inputs(Params p, LensTokenizer tokenizer, ModelConfig config) {
        long[] clean = Prompts.encode(tokenizer, p.clean(), "params.clean");
        long[] corrupted = Prompts.encode(tokenizer, p.corrupted(), "params.corrupted");
        if (clean.length != corrupted.length) {
            throw new InvalidInputException("params.clean is " + clean.length + " tokens and params.corrupted is " + corrupted.length
                    + " tokens: patching needs prompts of the same length in tokens");
        }
        int limit = Math.min(MAX_TOKENS, config.nCtx());
        if (clean.length > limit) {
            throw new InvalidInputException("the prompts are " + clean.length + " tokens long; patching takes at most " + limit + ": shorten them");
        }
        long answer = SingleTokens.resolve(tokenizer, p.answer(), "params.answer");
        long wrong = SingleTokens.resolve(tokenizer, p.wrong(), "params.wrong");
        if (answer == wrong) {
            throw new InvalidInputException("params.answer and params.wrong are the same token ('" + tokenizer.text(answer) + "', id " + answer
                    + "), so m is always 0: choose two different tokens");
        }
        return new ActivationPatching.Request(clean, corrupted, answer, wrong, Site.of(p.site()), layers(p.layers(), config.nLayers()));
    }

    /** The blocks "0,2-4" names, sorted and distinct; null or blank means all of 0..nLayers − 1. */
    static int[] layers(String text, int nLayers) {
        if (text == null || text.isBlank()) {
            return IntStream.range(0, nLayers).toArray();
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : text.split(",")) {
            String s = part.strip();
            String[] ends = s.split("-", -1);
            if (s.isEmpty() || ends.length > 2 || !Arrays.stream(ends).allMatch(e -> !e.isEmpty() && e.length() <= 9 && e.chars().allMatch(Character::isDigit))) {
                throw new InvalidInputException("params.layers: '" + s + "' is not a block number or a range such as 2-5; write e.g. 0,2-5");
            }
            int from = Integer.parseInt(ends[0]);
            int to = Integer.parseInt(ends[ends.length - 1]);
            if (from > to || to >= nLayers) {
                throw new InvalidInputException("params.layers: '" + s + "' is outside the model's blocks 0.." + (nLayers - 1));
            }
            IntStream.rangeClosed(from, to).forEach(out::add);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String text(int[] layers) {
        return Arrays.stream(layers).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    /** Per position, whether the prompts' tokens differ there. */
    private static boolean[] differs(ActivationPatching.Request r) {
        boolean[] d = new boolean[r.clean().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.clean()[i] != r.corrupted()[i];
        }
        return d;
    }
}
