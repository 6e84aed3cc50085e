package io.lensboard.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hugging Face's ViTImageProcessor ({@code preprocessor_config.json}): convert to RGB (or grey), resize to
 * height x width with PIL's bilinear filter on 8-bit values, then per channel c:
 * pixel = (u8 * rescale_factor - mean[c]) / std[c], in the float types Hugging Face uses ({@link #value}).
 * The fixture vit-tiny checks that this is bitwise ((float) u8 / 255f - 0.5f) / 0.5f for its processor.
 */
public record ImageProcessor(boolean doResize, int height, int width, boolean doRescale, double rescaleFactor,
                             boolean doNormalize, double[] mean, double[] std) {

    /** PIL's code for the bilinear filter in {@code resample}; the only one lensboard implements. */
    private static final int BILINEAR = 2;

    /** The processor beside a config, or ViTImageProcessor's defaults at the model's image size when there is none. */
    static ImageProcessor read(Path file, int imageSize, int channels) {
        JsonNode p;
        try {
            p = Files.isRegularFile(file) ? new ObjectMapper().readTree(file.toFile()) : new ObjectMapper().createObjectNode();
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode size = p.path("size");
        int height = size.isNumber() ? size.asInt() : size.path("height").asInt(imageSize);
        int width = size.isNumber() ? size.asInt() : size.path("width").asInt(imageSize);
        boolean doResize = p.path("do_resize").asBoolean(true);
        if (doResize && p.path("resample").asInt(BILINEAR) != BILINEAR) {
            throw new CheckpointException(file + ": resample " + p.path("resample").asInt()
                    + " is not supported; lensboard resizes with PIL's bilinear filter (resample 2)");
        }
        if (height != imageSize || width != imageSize) {
            throw new CheckpointException(file + ": the processor makes " + height + "x" + width
                    + " images but the model's image_size is " + imageSize);
        }
        return new ImageProcessor(doResize, height, width, p.path("do_rescale").asBoolean(true),
                p.path("rescale_factor").asDouble(1 / 255.0), p.path("do_normalize").asBoolean(true),
                perChannel(p.path("image_mean"), channels, file), perChannel(p.path("image_std"), channels, file));
    }

    private static double[] perChannel(JsonNode values, int channels, Path file) {
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = values.isArray() ? values.path(values.size() == 1 ? 0 : c).asDouble(0.5)
                    : values.isNumber() ? values.asDouble() : 0.5;
        }
        if (values.isArray() && values.size() != 1 && values.size() != channels) {
            throw new CheckpointException(file + ": image_mean and image_std need " + channels + " values, one per channel");
        }
        return out;
    }

    /** The smallest pixel value channel c can hold: what u8 = 0 becomes. */
    public float low(int c) {
        return value(0, c);
    }

    /** The largest pixel value channel c can hold: what u8 = 255 becomes. */
    public float high(int c) {
        return value(255, c);
    }

    /**
     * As Hugging Face computes it: u8 * rescale_factor in float64, stored as float32; then (x - mean[c]) / std[c] in
     * float32 (NumPy keeps the float32 array's type).
     */
    private float value(int u8, int c) {
        float x = doRescale ? (float) (u8 * rescaleFactor) : u8;
        return doNormalize ? (x - (float) mean[c]) / (float) std[c] : x;
    }

    /** pixel_values [C, H, W] in C order for an image of any size (resized when the processor says so). */
    public float[] pixelValues(BufferedImage image, int channels) {
        int[][] u8 = channels(image, channels);
        int w = image.getWidth();
        int h = image.getHeight();
        if (doResize && (w != width || h != height)) {
            for (int c = 0; c < channels; c++) {
                u8[c] = PilBilinear.resize(u8[c], w, h, width, height);
            }
            w = width;
            h = height;
        }
        float[] out = new float[channels * h * w];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < h * w; i++) {
                out[c * h * w + i] = value(u8[c][i], c);
            }
        }
        return out;
    }

    /**
     * The 8-bit channels as PIL's convert("RGB") or ("L") gives them: alpha dropped (not composited), grey read
     * from the raster itself (Java's getRGB would gamma-convert a grey image), RGB to grey by ITU-R 601-2 luma.
     */
    private static int[][] channels(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        boolean grey = raster.getNumBands() <= 2 && raster.getSampleModel().getSampleSize(0) == 8
                && image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
        int[][] out = new int[channels][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r, g, b;
                if (grey) {
                    r = g = b = raster.getSample(x, y, 0);
                } else {
                    int argb = image.getRGB(x, y);
                    r = (argb >> 16) & 0xff;
                    g = (argb >> 8) & 0xff;
                    b = argb & 0xff;
                }
                if (channels == 3) {
                    out[0][i] = r;
                    out[1][i] = g;
                    out[2][i] = b;
                } else {
                    // PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded
                    out[0][i] = grey ? r : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
                }
            }
        }
        return out;
    }
}
