package io.lensboard.model.checkpoint;

/**
 * Meta's checkpoints (llama2.c, GGUF) rotate interleaved pairs (x0, x1), (x2, x3), … of each head with RoPE;
 * Hugging Face's Llama, and lensboard's, rotates halves (x_i, x_{i+d/2}). The two are the same model once the
 * rows of W_Q and W_K are permuted within each head: row 2i + j of Meta's head becomes row j·d/2 + i.
 */
final class InterleavedRope {
    private InterleavedRope() {}

    /** W [heads·dHead, cols] row-major in Meta's order to the rotate-half order. */
    static float[] toRotateHalf(float[] w, int heads, int cols) {
        int rows = w.length / cols;
        int dHead = rows / heads;
        float[] out = new float[w.length];
        for (int to = 0; to < rows; to++) {
            System.arraycopy(w, (int) storedRow(to, dHead) * cols, out, to * cols, cols);
        }
        return out;
    }

    /** The row of Meta's order that row {@code row} of the rotate-half order comes from: j·d/2 + i from 2i + j. */
    static long storedRow(long row, int dHead) {
        long head = row / dHead * dHead;
        int within = (int) (row - head);
        int half = dHead / 2;
        return head + 2L * (within % half) + within / half;
    }
}
