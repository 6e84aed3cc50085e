package io.lensboard.analysis;

import io.lensboard.model.LensTokenizer;
import java.util.Arrays;

/**
 * A corpus tokenised with the model's tokenizer (which adds BOS at the start where it does for prompts) and cut into
 * whole {@code context}-length chunks, the tail that does not fill one dropped; the last {@code heldOut} chunks are
 * kept apart for evaluation, never trained on.
 */
public record CorpusChunks(long[][] train, long[][] heldOut) {

    /** A generous bound on a token's length in bytes, so a run reads only as much of a corpus as it can use. */
    public static final int BYTES_PER_TOKEN = 16;

    /**
     * Tokenises {@code text} and cuts its first {@code maxTokens} tokens into chunks, holding out the last tenth of them
     * (at least one, at most {@code maxHeldOut}); refuses a corpus too short for one chunk to train on and one to hold out.
     */
    public static CorpusChunks cut(LensTokenizer tokenizer, String name, String text, int context, long maxTokens, int maxHeldOut) {
        long[] ids = Prompts.encode(tokenizer, text, "corpus '" + name + "'");
        int n = (int) (Math.min(ids.length, maxTokens) / context);
        if (n < 2) {
            throw new InvalidInputException("corpus '" + name + "' has " + ids.length + " tokens; it needs at least two contexts of "
                    + context + " (one to train on, one held out): use a longer corpus or a shorter context");
        }
        int held = Math.max(1, Math.min(maxHeldOut, n / 10));
        long[][] chunks = new long[n][];
        for (int i = 0; i < n; i++) {
            chunks[i] = Arrays.copyOfRange(ids, i * context, (i + 1) * context);
        }
        return new CorpusChunks(Arrays.copyOfRange(chunks, 0, n - held), Arrays.copyOfRange(chunks, n - held, n));
    }

    /** Chunks {@code [from, from + count)} of {@code chunks} as one flat array, row after row. */
    public static long[] flat(long[][] chunks, int from, int count) {
        int t = chunks[0].length;
        long[] out = new long[count * t];
        for (int i = 0; i < count; i++) {
            System.arraycopy(chunks[from + i], 0, out, i * t, t);
        }
        return out;
    }
}
