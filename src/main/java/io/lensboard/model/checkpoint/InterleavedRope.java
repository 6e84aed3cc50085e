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
        int half = dHead / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * dHead + 2 * i + j;
                    int to = h * dHead + j * half + i;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }
}
