package io.lensboard.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted PNG and JPEG bytes with every size checked before the work it bounds: the byte count first,
 * then the format by its magic number, then the width and height from the header (ImageIO's reader reads only
 * the header for them), and only then the pixels. A small file that claims a huge image (a decompression bomb)
 * is refused before a pixel is allocated.
 */
public final class ImageDecoder {

    /** The limits: bytes of the file, pixels on a side, pixels in all. */
    public record Limits(long maxBytes, int maxSide, long maxPixels) {}

    /** A decoded image and what it was. */
    public record Decoded(BufferedImage image, String mediaType) {}

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    private ImageDecoder() {}

    /** The media type the bytes begin like (PNG or JPEG), or a 415. Checks the byte count first. */
    public static String mediaType(byte[] bytes, Limits limits) {
        if (bytes == null || bytes.length == 0) {
            throw ImageProblem.notAnImage("the body is empty: send a PNG or JPEG file (multipart field 'file', or the "
                    + "bytes with Content-Type image/png or image/jpeg)");
        }
        checkByteCount(bytes.length, limits);
        if (startsWith(bytes, PNG)) {
            return "image/png";
        }
        if (startsWith(bytes, JPEG)) {
            return "image/jpeg";
        }
        throw ImageProblem.notAnImage("the file is neither a PNG nor a JPEG (its first bytes say so): send one of those");
    }

    /** A 413 when a file of {@code size} bytes is larger than the limit (checked before it is read). */
    public static void checkByteCount(long size, Limits limits) {
        if (size > limits.maxBytes()) {
            throw ImageProblem.tooLarge("the image has " + size + " bytes; at most " + limits.maxBytes() + " are accepted");
        }
    }

    public static Decoded decode(byte[] bytes, Limits limits) {
        String mediaType = mediaType(bytes, limits);
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mediaType);
            if (!readers.hasNext()) {
                throw ImageProblem.notAnImage("no reader for " + mediaType + " on this server");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(width, height, limits);
                BufferedImage image = reader.read(0);
                return new Decoded(image, mediaType);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageProblem problem) {
                throw problem;
            }
            throw ImageProblem.undecodable("the " + mediaType.substring(6).toUpperCase() + " file cannot be decoded ("
                    + (e.getMessage() == null ? "damaged or truncated" : e.getMessage()) + "): send an intact image");
        }
    }

    private static void checkSize(int width, int height, Limits limits) {
        if (width <= 0 || height <= 0) {
            throw ImageProblem.undecodable("the image header says " + width + "x" + height + " pixels");
        }
        if (width > limits.maxSide() || height > limits.maxSide()) {
            throw ImageProblem.tooLarge("the image is " + width + "x" + height + " pixels; each side may have at most "
                    + limits.maxSide() + ": scale it down first");
        }
        if ((long) width * height > limits.maxPixels()) {
            throw ImageProblem.tooLarge("the image has " + (long) width * height + " pixels; at most " + limits.maxPixels()
                    + " are accepted: scale it down first");
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] magic) {
        if (bytes.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (bytes[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
