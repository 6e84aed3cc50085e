package io.lensboard.images;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/**
 * Pictures made by lensboard itself, 224 x 224 PNG (ViT-Base's input size), so that every image analysis works
 * without an upload: a colour gradient, simple shapes, seeded noise and a checkerboard of 16-pixel squares (one per
 * ViT-Base patch). Each is drawn once, the same on every machine.
 */
public final class BuiltinImages {
    public static final String PREFIX = "builtin:";
    public static final List<String> IDS = List.of("builtin:gradient", "builtin:shapes", "builtin:noise", "builtin:checkerboard");
    private static final int SIZE = 224;
    private static final Map<String, byte[]> PNGS = new ConcurrentHashMap<>();

    private BuiltinImages() {}

    public static boolean isBuiltin(String id) {
        return IDS.contains(id);
    }

    /** The PNG bytes of a built-in image. */
    public static byte[] png(String id) {
        if (!isBuiltin(id)) {
            throw ImageProblem.unknown(id);
        }
        return PNGS.computeIfAbsent(id, key -> encode(draw(key.substring(PREFIX.length()))));
    }

    public static int size() {
        return SIZE;
    }

    private static BufferedImage draw(String name) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        switch (name) {
            case "gradient" -> {
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        int r = 255 * x / (SIZE - 1), g = 255 * y / (SIZE - 1), b = 255 - (r + g) / 2;
                        image.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
            }
            case "shapes" -> {
                Graphics2D g = image.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(new Color(235, 235, 225));
                g.fillRect(0, 0, SIZE, SIZE);
                g.setColor(new Color(230, 190, 30));
                g.fillOval(24, 24, 96, 96);
                g.setColor(new Color(40, 80, 200));
                g.fillRect(128, 112, 72, 88);
                g.setColor(new Color(200, 40, 40));
                g.setStroke(new BasicStroke(10));
                g.drawLine(16, 208, 112, 128);
                g.dispose();
            }
            case "noise" -> {
                SplittableRandom rng = new SplittableRandom(0);
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        image.setRGB(x, y, rng.nextInt(1 << 24));
                    }
                }
            }
            default -> { // checkerboard
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        image.setRGB(x, y, ((x / 16 + y / 16) % 2 == 0) ? 0xffffff : 0x202020);
                    }
                }
            }
        }
        return image;
    }

    private static byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
