package io.lensboard.model;

/**
 * PIL's {@code Image.resize(size, BILINEAR)} on one 8-bit channel, as Hugging Face's image processors call it:
 * a separable triangle filter whose support widens with the scale when shrinking (so it antialiases), fixed-point
 * weights with 22 fractional bits, horizontal pass first, each pass rounded and clipped to 0..255
 * (Pillow's libImaging/Resample.c).
 */
final class PilBilinear {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilBilinear() {}

    /** {@code in} [inH, inW] row-major to [outH, outW]. */
    static int[] resize(int[] in, int inW, int inH, int outW, int outH) {
        int[] rows = inW == outW ? in : pass(in, inW, inH, outW, true);
        return inH == outH ? rows : pass(rows, outW, inH, outH, false);
    }

    /** One pass along x (horizontal) or y, from {@code inSize} to {@code outSize} samples; w x h is the input's shape. */
    private static int[] pass(int[] in, int w, int h, int outSize, boolean horizontal) {
        int inSize = horizontal ? w : h;
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // the triangle's support is 1, widened by the scale when shrinking
        int[] out = new int[horizontal ? outSize * h : w * outSize];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int count = Math.min((int) (center + support + 0.5), inSize) - min;
            double[] k = new double[count];
            double total = 0;
            for (int j = 0; j < count; j++) {
                double t = Math.abs((j + min - center + 0.5) / filterScale);
                k[j] = t < 1 ? 1 - t : 0;
                total += k[j];
            }
            int[] fixed = new int[count];
            for (int j = 0; j < count; j++) {
                double kj = total != 0 ? k[j] / total : k[j];
                fixed[j] = (int) (kj * (1 << PRECISION_BITS) + (kj < 0 ? -0.5 : 0.5));
            }
            int lines = horizontal ? h : w;
            for (int line = 0; line < lines; line++) {
                long ss = 1L << (PRECISION_BITS - 1);
                for (int j = 0; j < count; j++) {
                    int src = horizontal ? line * w + min + j : (min + j) * w + line;
                    ss += (long) in[src] * fixed[j];
                }
                int v = (int) (ss >> PRECISION_BITS);
                out[horizontal ? line * outSize + o : o * w + line] = Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }
}
