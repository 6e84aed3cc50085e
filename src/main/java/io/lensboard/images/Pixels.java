package io.lensboard.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * An image's decoded pixels in the one form every model starts from: 8-bit RGB, row after row, three bytes a pixel,
 * as PIL's {@code convert("RGB")} gives them (alpha dropped, not composited; a grey image's own 8-bit values in all
 * three channels). Stored beside the upload (V12, deflated), so that no later use decodes the file again. Models
 * differ in size, mean and std, so what is stored is the picture before any of that; a model's processor
 * ({@code model/ImageProcessor}) reads the same values from {@link #image()} as from the file's decoded image, to the
 * bit: its grey from a grey image is the stored value, and from RGB the same luma of the same bytes.
 *
 * <p>The file's pixel order is kept: an EXIF orientation is not applied, as neither PIL's {@code Image.open} nor
 * Hugging Face's processors apply it.
 */
record Pixels(int width, int height, byte[] rgb) {

    Pixels {
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(width + "x" + height + " RGB pixels take " + 3L * width * height
                    + " bytes, not " + rgb.length);
        }
    }

    /** The RGB bytes of a decoded image, read as {@code ImageProcessor.channels} reads them. */
    static Pixels of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        // the same test as ImageProcessor's: Java's getRGB would gamma-convert an 8-bit grey image
        boolean grey = raster.getNumBands() <= 2 && raster.getSampleModel().getSampleSize(0) == 8
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        byte[] rgb = new byte[3 * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            if (grey) {
                raster.getSamples(0, y, w, 1, 0, row);
            } else {
                image.getRGB(0, y, w, 1, row, 0, w);
            }
            for (int x = 0, i = 3 * y * w; x < w; x++, i += 3) {
                int v = row[x];
                rgb[i] = (byte) (grey ? v : v >> 16);
                rgb[i + 1] = (byte) (grey ? v : v >> 8);
                rgb[i + 2] = (byte) v;
            }
        }
        return new Pixels(w, h, rgb);
    }

    /** An image of these pixels (its own copy: callers share it, so none may draw on it). */
    BufferedImage image() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }

    /**
     * The bytes as stored: deflated at the fastest level, which still shrinks the flat areas where a small file's
     * pixels come from (a scan-bomb's 36 MB of black to a few KB) and costs a fraction of a decode.
     */
    byte[] deflated() {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(rgb);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, rgb.length / 4));
            byte[] buffer = new byte[64 << 10];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Pixels as {@link #deflated()} stored them, for an image of {@code width} x {@code height}. */
    static Pixels inflate(int width, int height, byte[] deflated) {
        byte[] rgb = new byte[3 * width * height];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(deflated);
            int n = 0;
            while (n < rgb.length) {
                int got = inflater.inflate(rgb, n, rgb.length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != rgb.length) {
                throw new IllegalStateException("the stored pixels are not " + width + "x" + height + " RGB pixels");
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("the stored pixels are damaged: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return new Pixels(width, height, rgb);
    }

    /** The bytes the pixels take in memory (the LRU's measure). */
    long bytes() {
        return rgb.length;
    }
}
