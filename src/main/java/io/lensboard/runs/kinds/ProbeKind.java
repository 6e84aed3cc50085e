package io.lensboard.runs.kinds;

import io.lensboard.analysis.CorpusChunks;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LinearProbes;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.Seeded;
import io.lensboard.runs.SeededRun;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "probe": {@link LinearProbes} from each chosen layer's residual stream to the input token, numbered as the
 * lens numbers its rows: layer 0 is the embeddings (blocks.0.hook_resid_pre), layer l is blocks.{l-1}.hook_resid_post
 * and, with {@code sub}, layer l − 0.5 is blocks.{l-1}.hook_resid_mid.
 */
@Singleton
public class ProbeKind extends AbstractRunKind<ProbeKind.Params> implements Seeded<ProbeKind.Params> {

    /** The most residual values a run keeps for training: tokens × d_model × rows, 1 GB of float32. */
    static final long MAX_VALUES = 1L << 28;

    public record Params(
            @Schema(maxLength = 100, description = "the corpus (GET /api/corpora); the built-in one when empty") String corpus,
            @Schema(maxLength = 2000, example = "0,1,2", description = "layers to probe, e.g. 0,2,5 or 0-3 (0 = embeddings, l = after block l); all when empty") String layers,
            @Schema(defaultValue = "false", description = "also probe hook_resid_mid (layer l − 0.5) before each chosen layer l ≥ 1") boolean sub,
            @Schema(defaultValue = "false", description = "train one probe on all chosen layers at once instead of one per layer") boolean shared,
            @Schema(defaultValue = "10", minimum = "1", maximum = "10000", description = "passes over the training tokens") int epochs,
            @Schema(defaultValue = "0.01", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "Adam's learning rate") double lr,
            @Schema(defaultValue = "8192", minimum = "4", maximum = "10000000", description = "corpus tokens used (a tenth held out)") int tokens,
            @Schema(defaultValue = "128", minimum = "2", maximum = "100000", description = "context: the corpus is cut into chunks of this many tokens") int context,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the batches' order and the shuffled baseline") long seed) implements SeededRun {

        /** The probed rows' labels in the lens's numbering ("0", "0.5", "1", …); empty until the layers are known. */
        public List<String> rows() {
            List<String> out = new ArrayList<>();
            if (layers != null && !layers.isBlank()) {
                for (String l : layers.split(",")) {
                    int layer = Integer.parseInt(l.trim());
                    if (sub && layer > 0) {
                        out.add((layer - 1) + ".5");
                    }
                    out.add(String.valueOf(layer));
                }
            }
            return out;
        }

        /** The TransformerLens hook of row i. */
        public String hook(int i) {
            return ProbeKind.hook(rows().get(i));
        }
    }

    /** Per probed row, in the order of {@link Params#rows()}; {@code pcaMass[row][k]}: W's share along W_E's k-th component. */
    public record Result(double[] accuracy, double[] accuracyTop5, double[] cosineToEmbedding, double[] cosineBaseline, double[][] pcaMass) {}

    @Inject
    Corpora corpora;

    public ProbeKind() {
        super("probe", "Linear probes: the input token from each layer", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> model) {
        String corpus = corpora.check(p.corpus());
        if (p.tokens() < 2 * p.context()) {
            throw new InvalidInputException("params.tokens (" + p.tokens() + ") must hold two contexts of " + p.context()
                    + " tokens (one to train on, one held out)");
        }
        String layers = p.layers();
        if (model.isPresent()) {
            ModelConfig c = model.get();
            ParamSchema.range("context", p.context(), 2, c.nCtx());
            layers = String.join(",", parseLayers(p.layers(), c.nLayers()).stream().map(String::valueOf).toList());
            Params complete = new Params(corpus, layers, p.sub(), p.shared(), p.epochs(), p.lr(), p.tokens(), p.context(), p.seed());
            long values = (long) p.tokens() * c.dModel() * complete.rows().size();
            if (values > MAX_VALUES) {
                throw new InvalidInputException("params.tokens: " + p.tokens() + " tokens × d_model " + c.dModel() + " × "
                        + complete.rows().size() + " layers is too much to keep; use at most " + MAX_VALUES / ((long) c.dModel() * complete.rows().size()) + " tokens");
            }
            return complete;
        }
        return new Params(corpus, layers, p.sub(), p.shared(), p.epochs(), p.lr(), p.tokens(), p.context(), p.seed());
    }

    /** "0,2,5" or "0-3" (or both, comma-separated) as a sorted list within 0 … L; empty text is every layer. */
    static List<Integer> parseLayers(String text, int nLayers) {
        if (text == null || text.isBlank()) {
            return IntStream.rangeClosed(0, nLayers).boxed().toList();
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : text.split(",")) {
            String s = part.trim();
            try {
                int dash = s.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1).trim());
                if (from < 0 || to > nLayers) {
                    throw new InvalidInputException("params.layers: '" + s + "' is outside 0…" + nLayers + " (0 = embeddings, "
                            + nLayers + " = after the last block)");
                }
                if (from > to) {
                    throw new InvalidInputException("params.layers: write the range '" + s + "' from low to high, as " + to + "-" + from);
                }
                IntStream.rangeClosed(from, to).forEach(out::add);
            } catch (NumberFormatException e) {
                throw new InvalidInputException("params.layers: '" + s + "' is not a layer; write layers as 0,2,5 or 0-3");
            }
        }
        return List.copyOf(out);
    }

    /** The hook of a row label: "0" the embeddings, "l" blocks.{l-1}.hook_resid_post, "l.5" blocks.{l}.hook_resid_mid. */
    static String hook(String row) {
        if (row.endsWith(".5")) {
            return Hooks.residMid(Integer.parseInt(row.substring(0, row.length() - 2)));
        }
        int l = Integer.parseInt(row);
        return l == 0 ? Hooks.residPre(0) : Hooks.residPost(l - 1);
    }

    @Override
    public String subject(Params p) {
        return "corpus " + p.corpus();
    }

    @Override
    public Job open(LoadedModel model, Params given, Progress progress) {
        Params p = complete(given, Optional.of(model.config()));
        List<String> rows = p.rows();
        String text = corpora.read(p.corpus(), Math.min((long) p.tokens() * CorpusChunks.BYTES_PER_TOKEN, Integer.MAX_VALUE - 8));
        CorpusChunks chunks = CorpusChunks.cut(model.tokenizer(), p.corpus(), text, p.context(), p.tokens(), Integer.MAX_VALUE);
        LinearProbes probes = new LinearProbes(model, chunks, new LinearProbes.Params(rows.stream().map(ProbeKind::hook).toList(),
                p.epochs(), p.lr(), p.seed(), p.shared()));
        progress.emit("corpus", Map.of("train_tokens", chunks.train().length * p.context(), "held_out_tokens",
                chunks.heldOut().length * p.context(), "classes", probes.classes()));
        List<LinearProbes.Scores> scores = new ArrayList<>();
        int total = probes.probes() * p.epochs();
        return new Job() {
            private int done;

            @Override
            public boolean finished() {
                return probes.finished();
            }

            @Override
            public void step(Progress out) {
                LinearProbes.Step s = probes.step();
                done++;
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("layer", p.shared() ? "all" : rows.get(s.probe()));
                event.put("epoch", s.epoch());
                event.put("loss", s.loss());
                event.put("progress", (double) done / total);
                out.emit("step", event);
                if (s.epoch() == p.epochs()) {
                    for (int r = p.shared() ? 0 : s.probe(); r < (p.shared() ? rows.size() : s.probe() + 1); r++) {
                        scores.add(probes.scores(r));
                    }
                    out.emit("layer", Map.of("layers", rows.subList(0, scores.size()),
                            "accuracy", scores.stream().map(LinearProbes.Scores::accuracy).toList(),
                            "accuracy_top5", scores.stream().map(LinearProbes.Scores::accuracyTop5).toList()));
                }
            }

            @Override
            public Object result() {
                return new Result(scores.stream().mapToDouble(LinearProbes.Scores::accuracy).toArray(),
                        scores.stream().mapToDouble(LinearProbes.Scores::accuracyTop5).toArray(),
                        scores.stream().mapToDouble(LinearProbes.Scores::cosineToEmbedding).toArray(),
                        scores.stream().mapToDouble(LinearProbes.Scores::cosineBaseline).toArray(),
                        scores.stream().map(LinearProbes.Scores::pcaMass).toArray(double[][]::new));
            }

            @Override
            public void close() {
                probes.close();
            }
        };
    }
}
