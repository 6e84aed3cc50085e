package io.lensboard.analysis;

import io.lensboard.model.ImageProcessor;
import io.lensboard.model.VisionConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** pixel_values as pictures and back: a random start, and an optimised image as a PNG to look at. */
public final class PixelImages {
    private PixelImages() {}

    /**
     * A seeded random image: every value uniform in its channel's valid range [low(c), high(c)] (what u8 0 and 255
     * become), so it is a picture the processor could have made, up to rounding. [C * H * W] in C order.
     */
    public static float[] noise(VisionConfig v, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int plane = v.imageSize() * v.imageSize();
        float[] out = new float[v.channels() * plane];
        for (int c = 0; c < v.channels(); c++) {
            float lo = v.processor().low(c);
            float hi = v.processor().high(c);
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = lo + (float) rng.nextDouble() * (hi - lo);
            }
        }
        return out;
    }

    /** The processor undone: u8 = (x − low(c)) / (high(c) − low(c)) · 255, rounded and clipped to 0..255. */
    public static BufferedImage picture(float[] pixels, VisionConfig v) {
        int side = v.imageSize();
        int plane = side * side;
        ImageProcessor p = v.processor();
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int[] rgb = new int[3];
            for (int c = 0; c < 3; c++) {
                int channel = v.channels() == 1 ? 0 : c; // a grey model's one channel is drawn as grey
                float lo = p.low(channel);
                float hi = p.high(channel);
                long u8 = Math.round((pixels[channel * plane + i] - lo) / (hi - lo) * 255.0);
                rgb[c] = (int) Math.max(0, Math.min(255, u8));
            }
            image.setRGB(i % side, i / side, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
        }
        return image;
    }

    public static byte[] png(float[] pixels, VisionConfig v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(picture(pixels, v), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG to memory", e);
        }
        return out.toByteArray();
    }

    /** The PNG as a data: URL, for a live page's img (the CSP allows img-src data:). */
    public static String dataUrl(float[] pixels, VisionConfig v) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(pixels, v));
    }
}
