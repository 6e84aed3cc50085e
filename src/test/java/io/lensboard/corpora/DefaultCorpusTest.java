package io.lensboard.corpora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.lensboard.Fixtures;
import io.lensboard.model.ActivationCache;
import io.lensboard.model.Forward;
import io.lensboard.model.Hooks;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.Transformer;
import io.lensboard.model.pool.ModelLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The built-in corpus {@code tinystories-sampled} is stories260K's own text: stories sampled from BOS with
 * temperature 1 and top-p 0.9 (llama2.c's defaults), {@value #BATCH} at a time, batch b from {@code new Random(b)},
 * each ending where the model samples BOS or EOS or at {@value #MAX_TOKENS} tokens, separated by blank lines.
 * Regenerate it with {@code ./mvnw test -Dtest=DefaultCorpusTest -Dcorpus.write=true}; the test checks that the
 * committed file starts with the first batch (a different CPU's rounding could change a rare sample; rerun then).
 */
class DefaultCorpusTest {
    private static final int BATCH = 64;
    private static final int BATCHES = 2;
    private static final int MAX_TOKENS = 256;
    private static final int CHECKED_TOKENS = 24;
    private static final Path FILE = Path.of("src/main/resources/corpora/" + Corpora.DEFAULT + ".txt");

    private static LoadedModel stories() {
        return ModelLoader.load("stories260K", Fixtures.path("stories260K/hf"), null, Device.cpu());
    }

    /** Batch 0's first {@value #CHECKED_TOKENS} tokens, sampled again, begin its stories in the committed file, in order. */
    @Test
    void defaultCorpusIsSampledFromStories260K() throws IOException {
        String committed;
        try (InputStream in = Corpora.class.getResourceAsStream("/corpora/" + Corpora.DEFAULT + ".txt")) {
            committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (LoadedModel m = stories()) {
            assertSampledFrom(m, committed);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "corpus.write", matches = "true")
    void writesTheDefaultCorpus() throws IOException {
        List<String> stories = new ArrayList<>();
        try (LoadedModel m = stories()) {
            for (int b = 0; b < BATCHES; b++) {
                stories.addAll(sample(m, b, MAX_TOKENS));
            }
            Files.writeString(FILE, String.join("\n\n", stories) + "\n", StandardCharsets.UTF_8);
            assertSampledFrom(m, Files.readString(FILE, StandardCharsets.UTF_8));
        }
        assertEquals(BATCHES * BATCH, stories.size(), "every sequence of every batch is a story");
        assertTrue(stories.stream().noneMatch(String::isBlank), "no story is empty");
    }

    /** What the committed file must satisfy, and what a freshly written one is checked against before it is committed. */
    private static void assertSampledFrom(LoadedModel m, String corpus) {
        int at = 0;
        for (String beginning : sample(m, 0, CHECKED_TOKENS)) {
            int found = corpus.indexOf(beginning, at);
            assertTrue(found == at || found > at && corpus.startsWith("\n\n", found - 2), "a story begins with \"" + beginning + "\"");
            at = found + beginning.length();
        }
        assertTrue(corpus.length() > 50_000 && corpus.length() < 400_000, "a modest size: " + corpus.length());
    }

    /**
     * Batch b's stories, each cut at {@code maxTokens}: all BATCH sequences advance together, one token per pass, each pass continuing from the keys
     * and values of the tokens before it ({@code blocks.{l}.attn.hook_k}, {@code hook_v}).
     */
    static List<String> sample(LoadedModel m, int b, int maxTokens) {
        Random rng = new Random(b);
        Transformer tf = m.transformer();
        int layers = m.config().nLayers();
        long[][] ids = new long[BATCH][MAX_TOKENS + 1];
        int[] length = new int[BATCH];
        Arrays.fill(length, -1); // -1: still growing
        long[] next = new long[BATCH];
        Arrays.fill(next, 1); // BOS
        try (NDManager run = m.newScope()) {
            Transformer.Past past = null;
            for (int n = 1; n <= maxTokens; n++) {
                float[] last;
                try (NDManager step = run.newSubManager()) {
                    ActivationCache cache = ActivationCache.of(Hooks::isKeyOrValue);
                    NDArray logits = tf.forward(tf.embed(step.create(next).reshape(BATCH, 1)), Forward.full(m.config()), cache, past);
                    last = logits.toFloatArray();
                    NDArray[] keys = new NDArray[layers];
                    NDArray[] values = new NDArray[layers];
                    for (int l = 0; l < layers; l++) {
                        keys[l] = extend(past == null ? null : past.keys()[l], cache.get(Hooks.k(l)), run);
                        values[l] = extend(past == null ? null : past.values()[l], cache.get(Hooks.v(l)), run);
                    }
                    past = new Transformer.Past(n, keys, values, null);
                }
                int vocab = last.length / BATCH;
                boolean growing = false;
                for (int i = 0; i < BATCH; i++) {
                    if (length[i] >= 0) {
                        continue;
                    }
                    long token = topP(Arrays.copyOfRange(last, i * vocab, (i + 1) * vocab), rng);
                    if (token == 1 || token == 2) {
                        length[i] = n;
                    } else {
                        ids[i][n] = token;
                        next[i] = token;
                        growing = true;
                    }
                }
                if (!growing) {
                    break;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            int end = length[i] < 0 ? maxTokens + 1 : length[i];
            out.add(m.tokenizer().decode(Arrays.copyOfRange(ids[i], 1, end)).strip());
        }
        return out;
    }

    /** The past's keys or values followed by this pass's, owned by {@code run}; the old ones are freed. */
    private static NDArray extend(NDArray past, NDArray now, NDManager run) {
        NDArray out = past == null ? now.duplicate() : past.concat(now, 2);
        out.attach(run);
        if (past != null) {
            past.close();
        }
        return out;
    }

    /** Nucleus sampling, p = 0.9, temperature 1: the smallest set of most likely tokens holding 90% of the mass. */
    private static long topP(float[] logits, Random rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int v = 0; v < p.length; v++) {
            p[v] = Math.exp(logits[v] - max);
            sum += p[v];
        }
        Integer[] order = new Integer[p.length];
        for (int v = 0; v < p.length; v++) {
            order[v] = v;
            p[v] /= sum;
        }
        Arrays.sort(order, (a, c) -> Double.compare(p[c], p[a]));
        double kept = 0;
        int k = 0;
        while (k < order.length && kept < 0.9) {
            kept += p[order[k++]];
        }
        double r = rng.nextDouble() * kept;
        for (int j = 0; j < k; j++) {
            r -= p[order[j]];
            if (r <= 0) {
                return order[j];
            }
        }
        return order[k - 1];
    }
}
