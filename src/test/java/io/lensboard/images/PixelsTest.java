package io.lensboard.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.model.ImageProcessor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The stored pixel form gives a model's processor the same pixel_values, to the bit, as the decoded file did: for
 * RGB, RGBA, 8-bit grey, 16-bit and JPEG files, for RGB and grey models, resized or not. The processors are
 * vit-tiny's (mean = std = 0.5, rescale 1/255; ../shared/fixtures/vit-tiny/preprocessor_config.json) at two sizes and
 * one that does no resizing, rescaling or normalising, which compares the 8-bit values themselves.
 */
class PixelsTest {
    private static final ImageDecoder.Limits LIMITS = new ImageDecoder.Limits(2 << 20, 4096, 12_000_000);
    private static final double[] HALF = {0.5, 0.5, 0.5};
    private static final ImageProcessor[] PROCESSORS = {
            new ImageProcessor(true, 32, 32, true, 1 / 255.0, true, HALF, HALF),
            new ImageProcessor(true, 24, 24, true, 1 / 255.0, true, HALF, HALF),
            new ImageProcessor(false, 0, 0, false, 1, false, HALF, HALF),
    };

    @Test
    void theStoredPixelsGiveEveryProcessorTheDecodedFilesPixelValuesToTheBit() throws Exception {
        check("vit-tiny's sample", Files.readAllBytes(Fixtures.dir("vit-tiny").resolve("sample.png")));
        check("RGB PNG", png(noise(BufferedImage.TYPE_INT_RGB, 40, 30)));
        check("RGBA PNG", png(noise(BufferedImage.TYPE_INT_ARGB, 40, 30)));
        check("8-bit grey PNG", png(noise(BufferedImage.TYPE_BYTE_GRAY, 40, 30)));
        check("16-bit grey PNG", png(noise(BufferedImage.TYPE_USHORT_GRAY, 40, 30)));
        check("16-bit RGBA PNG", ImageBombsTest.rgba16Png(40, 30));
        check("JPEG", jpeg(noise(BufferedImage.TYPE_INT_RGB, 40, 30)));
    }

    private static void check(String what, byte[] file) {
        BufferedImage decoded = ImageDecoder.decode(file, LIMITS).image();
        Pixels pixels = Pixels.of(decoded);
        byte[] stored = pixels.deflated();
        BufferedImage fromStore = Pixels.inflate(decoded.getWidth(), decoded.getHeight(), stored).image();
        for (ImageProcessor p : PROCESSORS) {
            for (int channels : new int[] {3, 1}) {
                assertArrayEquals(p.pixelValues(decoded, channels), p.pixelValues(fromStore, channels),
                        what + ", " + channels + " channels, " + p.height() + "x" + p.width());
            }
        }
    }

    @Test
    void aFlatPictureDeflatesToAFractionOfItsPixels() throws Exception {
        Pixels black = Pixels.of(new BufferedImage(1000, 1000, BufferedImage.TYPE_3BYTE_BGR));
        byte[] stored = black.deflated();
        assertTrue(stored.length < black.bytes() / 100, stored.length + " bytes for " + black.bytes());
        assertArrayEquals(black.rgb(), Pixels.inflate(1000, 1000, stored).rgb());
    }

    @Test
    void refusesStoredPixelsOfAnotherSize() {
        byte[] stored = Pixels.of(new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB)).deflated();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pixels.inflate(10, 11, stored));
        assertTrue(e.getMessage().contains("not 10x11 RGB pixels"), e.getMessage());
        assertEquals(300, Pixels.inflate(10, 10, stored).bytes());
    }

    /** Seeded noise in every sample of an image of {@code type}. */
    private static BufferedImage noise(int type, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random random = new Random(type);
        var raster = image.getRaster();
        int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < raster.getNumBands(); b++) {
                    raster.setSample(x, y, b, random.nextInt(max + 1));
                }
            }
        }
        return image;
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "jpeg", out));
        return out.toByteArray();
    }
}
