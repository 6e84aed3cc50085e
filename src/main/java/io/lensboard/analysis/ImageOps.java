package io.lensboard.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * The write-up's regularisers for feature maps, on pixel_values [B, C, H, W], built from slices so that gradients
 * flow through them: positional jitter (torch.roll) and Gaussian blur (torchvision's gaussian_blur: a separable
 * kernel, each channel alone, reflect padding, same size out).
 */
public final class ImageOps {
    private ImageOps() {}

    /** torch.roll(x, shifts=(dy, dx), dims=(2, 3)): out[c][i][j] = x[c][(i - dy) mod H][(j - dx) mod W]. */
    public static NDArray roll(NDArray x, int dy, int dx) {
        return rollAxis(rollAxis(x, 2, dy), 3, dx);
    }

    private static NDArray rollAxis(NDArray x, int axis, int shift) {
        long n = x.getShape().get(axis);
        int s = (int) Math.floorMod(shift, n);
        if (s == 0) {
            return x;
        }
        // the last s entries move to the front
        return slice(x, axis, n - s, n).concat(slice(x, axis, 0, n - s), axis);
    }

    /** The Gaussian kernel k[i] = exp(-(i - r)^2 / (2 sigma^2)) / sum, i = 0..2r, r = ceil(2 sigma) (5 taps for sigma 1). */
    public static float[] kernel1d(double sigma) {
        int r = (int) Math.ceil(2 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = 0; i < k.length; i++) {
            k[i] = Math.exp(-(i - r) * (i - r) / (2 * sigma * sigma));
            sum += k[i];
        }
        float[] out = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            out[i] = (float) (k[i] / sum);
        }
        return out;
    }

    /**
     * Blur with the 2-D kernel outer(k, k), k = {@link #kernel1d}, each channel alone, padding by reflection (index -1
     * reads 1, H reads H - 2). sigma must leave the radius below the image's side.
     */
    public static NDArray gaussianBlur(NDArray x, double sigma) {
        float[] k = kernel1d(sigma);
        long side = Math.min(x.getShape().get(2), x.getShape().get(3));
        if (k.length / 2 >= side) {
            throw new InvalidInputException("blur_sigma " + sigma + " needs a kernel of " + k.length
                    + " pixels, wider than the " + side + "-pixel image allows");
        }
        return blurAxis(blurAxis(x, 3, k), 2, k);
    }

    /** One pass of the separable kernel along {@code axis}: out[i] = sum_j k[j] x[reflect(i + j - r)]. */
    private static NDArray blurAxis(NDArray x, int axis, float[] k) {
        int r = k.length / 2;
        long n = x.getShape().get(axis);
        NDArray padded = reflectPad(x, axis, r);
        NDArray out = null;
        for (int j = 0; j < k.length; j++) {
            NDArray term = slice(padded, axis, j, j + n).mul(k[j]);
            out = out == null ? term : out.add(term);
        }
        return out;
    }

    /** x with r entries mirrored on each side of {@code axis}, not repeating the edge. */
    private static NDArray reflectPad(NDArray x, int axis, int r) {
        long n = x.getShape().get(axis);
        NDList parts = new NDList();
        for (int i = r; i >= 1; i--) {
            parts.add(slice(x, axis, i, i + 1));
        }
        parts.add(x);
        for (int i = 1; i <= r; i++) {
            parts.add(slice(x, axis, n - 1 - i, n - i));
        }
        return NDArrays.concat(parts, axis);
    }

    private static NDArray slice(NDArray x, int axis, long from, long to) {
        return x.get(axis == 2 ? new NDIndex(":, :, {}:{}", from, to) : new NDIndex(":, :, :, {}:{}", from, to));
    }

    /** mean |a - b| over all elements (PyTorch's l1_loss) */
    public static NDArray l1(NDArray a, NDArray b) {
        return a.sub(b).abs().mean();
    }

    /** mean (a - b)^2 over all elements (PyTorch's mse_loss) */
    public static NDArray l2(NDArray a, NDArray b) {
        return a.sub(b).square().mean();
    }
}
