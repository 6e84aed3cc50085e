package io.lensboard.runs.kinds;

import io.lensboard.LensboardConfig;
import io.lensboard.analysis.CorpusChunks;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.TunedLens;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.runs.AbstractRunKind;
import io.lensboard.runs.ParamSchema;
import io.lensboard.runs.Seeded;
import io.lensboard.runs.SeededRun;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Run kind "tuned-lens": trains a tuned lens ({@link TunedLens}) on a corpus, streams each step's KL per layer, then
 * saves it under {@code ${lensboard.data-dir}/lenses/<id>} and reports held-out KL for the logit and the tuned lens.
 */
@Singleton
public class TunedLensKind extends AbstractRunKind<TunedLensKind.Params> implements Seeded<TunedLensKind.Params> {

    /** The most tokens × vocabulary entries one step may decode at once: one [tokens, vocab] float32 array of 512 MB. */
    static final long MAX_LOGITS = 1L << 27;

    public record Params(
            @Schema(maxLength = 100, description = "the corpus to train on (GET /api/corpora); the built-in one when empty") String corpus,
            @Schema(defaultValue = "100", minimum = "1", maximum = "100000", description = "optimisation steps N") int steps,
            @Schema(defaultValue = "0.25", minimum = "0", exclusiveMinimum = true, maximum = "1000", description = "learning rate η, falling linearly to 0 over the steps (Adam: try 0.01)") double lr,
            @Schema(defaultValue = "sgd", enumeration = {"sgd", "adam"}, description = "SGD with Nesterov momentum 0.9 (the paper's default), or Adam") String optimizer,
            @Schema(defaultValue = "2048", minimum = "2", maximum = "1000000", description = "tokens per step (whole contexts; the paper uses 2^18)") int tokens,
            @Schema(defaultValue = "128", minimum = "2", maximum = "100000", description = "context: the corpus is cut into chunks of this many tokens") int context,
            @Schema(defaultValue = "0", minimum = "0", maximum = "2147483647", description = "seed of the order of the chunks") long seed) implements SeededRun {
    }

    /**
     * The saved lens's id and held-out mean KL(final ‖ layer) per layer 0 … L through the logit lens and the tuned lens;
     * {@code prompt}, the opening of the held-out text ({@link #heldOutPrompt}), is what the result page's links look at
     * through the lens (absent from results stored before it was kept, null where that text is blank: the page falls back).
     */
    public record Result(String lens, double[] klLogit, double[] klTuned, String prompt) {}

    /** Tokens of held-out text a result keeps for its links: a sentence or two, short enough for a URL and a lens table. */
    static final int PROMPT_TOKENS = 24;

    /** A token that ends a sentence: '.', '!' or '?' (maybe before a closing quote or bracket), or a line break. */
    private static final Pattern SENTENCE_END = Pattern.compile("(?s).*([.!?][\"')\\]]*\\s*|\n.*)");

    @Inject
    Corpora corpora;

    @Inject
    LensboardConfig config;
    public TunedLensKind() {
        super("tuned-lens", "Tuned lens training", Params.class);
    }

    @Override
    public Params complete(Params p, Optional<ModelConfig> model) {
        String corpus = corpora.check(p.corpus());
        model.ifPresent(c -> {
            ParamSchema.range("context", p.context(), 2, c.nCtx());
            if ((long) p.tokens() * c.vocabSize() > MAX_LOGITS) {
                throw new InvalidInputException("params.tokens: " + p.tokens() + " tokens × a vocabulary of " + c.vocabSize()
                        + " is too large for one step; use at most " + MAX_LOGITS / c.vocabSize() + " tokens");
            }
        });
        if (p.tokens() < p.context()) {
            throw new InvalidInputException("params.tokens (" + p.tokens() + ") must hold at least one context of " + p.context() + " tokens");
        }
        return new Params(corpus, p.steps(), p.lr(), p.optimizer(), p.tokens(), p.context(), p.seed());
    }

    @Override
    public String subject(Params p) {
        return "corpus " + p.corpus();
    }

    @Override
    public Job open(LoadedModel model, Params given, Progress progress) {
        Params p = complete(given, Optional.of(model.config()));
        String text = corpora.read(p.corpus(), bytesToRead(p));
        CorpusChunks chunks = chunks(model, p, text);
        TunedLens lens = new TunedLens(model, chunks, training(p));
        String prompt = heldOutPrompt(model.tokenizer(), chunks.heldOut()[0]);
        List<String> layers = IntStream.range(0, lens.layers()).mapToObj(String::valueOf).toList();
        progress.emit("corpus", Map.of("train_tokens", chunks.train().length * p.context(), "held_out_tokens", chunks.heldOut().length * p.context()));
        return new Job() {
            @Override
            public boolean finished() {
                return lens.finished();
            }

            @Override
            public void step(Progress out) {
                TunedLens.Step s = lens.step();
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("step", s.step());
                event.put("loss", Arrays.stream(s.kl()).sum());
                event.put("layers", layers);
                event.put("kl", s.kl());
                event.put("progress", (double) s.step() / p.steps());
                out.emit("step", event);
            }

            @Override
            public Object result() {
                TunedLens.Evaluation e = lens.evaluate();
                String id = save(model, lens.translators());
                return new Result(id, e.klLogit(), e.klTuned(), prompt);
            }

            @Override
            public void close() {
                lens.close();
            }
        };
    }

    /*
     * How a run of p is set up, in one place, so that the README's figures (bench.TunedLensFigures) are a run's.
     * Everything here is a function of p and the corpus: the chunks, their seeded order, the translators' zero start.
     */

    /** Tokens a run of p uses: at most every step on fresh chunks plus one batch held out (a shorter corpus is reused). */
    private static long tokensNeeded(Params p) {
        return ((long) p.steps() + 1) * (p.tokens() / p.context()) * p.context();
    }

    /** The bytes of the corpus a run of p reads (Corpora.read's bound). */
    public static long bytesToRead(Params p) {
        return Math.min(tokensNeeded(p) * CorpusChunks.BYTES_PER_TOKEN, Integer.MAX_VALUE - 8);
    }

    /** The corpus text as read, cut into the run's chunks: the last batch's worth (at most) held out. */
    public static CorpusChunks chunks(LoadedModel model, Params p, String text) {
        return CorpusChunks.cut(model.tokenizer(), p.corpus(), text, p.context(), tokensNeeded(p), p.tokens() / p.context());
    }

    /** The training settings of a run of p: batch = tokens / context chunks per step. */
    public static TunedLens.Params training(Params p) {
        return new TunedLens.Params(p.steps(), p.lr(), TunedLens.Optimizer.valueOf(p.optimizer().toUpperCase()),
                p.tokens() / p.context(), p.seed());
    }

    /**
     * Text the lens was evaluated on and never trained on, for the result's links: the first held-out chunk from its
     * first whole sentence (after the first sentence end in its first half; from its start where there is none, line
     * breaks skipped), at most {@link #PROMPT_TOKENS} tokens, decoded; null where that is blank.
     */
    static String heldOutPrompt(LensTokenizer tokenizer, long[] chunk) {
        List<String> texts = tokenizer.texts(chunk);
        int from = 0;
        for (int i = 0; i < chunk.length / 2; i++) {
            if (SENTENCE_END.matcher(texts.get(i)).matches()) {
                from = i + 1;
                break;
            }
        }
        while (from < chunk.length - 1 && texts.get(from).isBlank()) {
            from++;
        }
        String text = tokenizer.decode(Arrays.copyOfRange(chunk, from, Math.min(chunk.length, from + PROMPT_TOKENS))).strip();
        return text.isEmpty() ? null : text;
    }

    /** The one place a trained lens is written. */
    private String save(LoadedModel model, TunedLens.Translators translators) {
        return LensArtefact.save(Path.of(config.dataDir()).toAbsolutePath().normalize().resolve("lenses"), model.id(), model.config(), translators);
    }
}
