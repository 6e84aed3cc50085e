package io.lensboard.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The images of issue 26 (item 3), generated here: a progressive JPEG of a thousand copies of one tiny scan and a
 * small 16-bit RGBA PNG that decodes to 96 MB are refused before decoding, within milliseconds; ordinary progressive
 * JPEGs and 16-bit PNGs of a sensible size still decode.
 */
class ImageBombsTest {
    /** The service's defaults (application.properties): 2 MB files, 4,096 pixels a side, 12 megapixels. */
    private static final ImageDecoder.Limits LIMITS = new ImageDecoder.Limits(2 << 20, 4096, 12_000_000);

    @Test
    void refusesAProgressiveJpegOfAThousandScansBeforeDecodingIt() throws IOException {
        byte[] progressive = progressiveJpeg(4096, 2929);
        byte[] bomb = withCopiesOfItsLastScan(progressive, 1000);
        assertTrue(bomb.length < 200_000, "a small file: " + bomb.length + " bytes");
        long t0 = System.nanoTime();
        ImageProblem e = assertThrows(ImageProblem.class, () -> ImageDecoder.decode(bomb, LIMITS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("refused a " + bomb.length + "-byte JPEG of 1,000 extra scans in " + ms + " ms: " + e.getMessage());
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("more than " + ImageDecoder.MAX_SCANS + " scans"), e.getMessage());
        assertTrue(ms < 2_000, "refused in " + ms + " ms");
    }

    @Test
    void refusesAFewScansTooManyForItsSize() throws IOException {
        byte[] bomb = withCopiesOfItsLastScan(progressiveJpeg(4096, 2929), 20); // 30 scans: within 64, but 30 passes over 12 MP
        long t0 = System.nanoTime();
        ImageProblem e = assertThrows(ImageProblem.class, () -> ImageDecoder.decode(bomb, LIMITS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("refused a JPEG of 30 scans of 12 MP in " + ms + " ms: " + e.getMessage());
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("at most " + ImageDecoder.MAX_PASSES + " passes"), e.getMessage());
        assertTrue(ms < 2_000, "refused in " + ms + " ms");
    }

    @Test
    void answersADecodeThatOutlastsItsDeadlineAtTheDeadline() throws IOException {
        byte[] slow = progressiveJpeg(4096, 2929); // about 1.7 s to decode on one core
        long t0 = System.nanoTime();
        ImageProblem e = assertThrows(ImageProblem.class, () -> ImageDecoder.decode(slow, LIMITS, java.time.Duration.ofMillis(200)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("gave up a 12 MP progressive JPEG after " + ms + " ms: " + e.getMessage());
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("took more than 200 ms to decode"), e.getMessage());
        assertTrue(ms < 1_000, "answered after " + ms + " ms");
    }

    @Test
    void decodesAnOrdinaryProgressiveJpeg() throws IOException {
        BufferedImage image = ImageDecoder.decode(progressiveJpeg(640, 480), LIMITS).image();
        assertEquals(640, image.getWidth());
        assertEquals(480, image.getHeight());
    }

    @Test
    void refusesA16BitRgbaPngThatDecodesTo96MegabytesBeforeDecodingIt() throws IOException {
        byte[] png = rgba16Png(3464, 3464); // 11,999,296 pixels: within the pixel limit, but 8 bytes each
        assertTrue(png.length < 200_000, "a small file: " + png.length + " bytes");
        long t0 = System.nanoTime();
        ImageProblem e = assertThrows(ImageProblem.class, () -> ImageDecoder.decode(png, LIMITS));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("refused a " + png.length + "-byte 16-bit RGBA PNG in " + ms + " ms: " + e.getMessage());
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("decodes to 95994368 bytes (3464x3464 pixels of 8 bytes)"), e.getMessage());
        assertTrue(ms < 2_000, "refused in " + ms + " ms");
    }

    @Test
    void decodesA16BitRgbaPngOfASensibleSize() throws IOException {
        BufferedImage image = ImageDecoder.decode(rgba16Png(300, 200), LIMITS).image();
        assertEquals(300, image.getWidth());
        assertEquals(4, image.getRaster().getNumBands());
    }

    /** A black image written by ImageIO's JPEG writer in progressive mode (libjpeg's default script of about ten scans). */
    static byte[] progressiveJpeg(int width, int height) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR), null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The JPEG with {@code copies} more copies of its last scan (SOS header and entropy-coded data) before EOI. */
    static byte[] withCopiesOfItsLastScan(byte[] jpeg, int copies) {
        int lastScan = -1;
        for (int i = 2; i + 3 < jpeg.length; ) {
            int marker = jpeg[i + 1] & 0xff;
            int next = i + 2 + (((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff));
            if (marker == 0xda) {
                lastScan = i;
                while (!((jpeg[next] & 0xff) == 0xff && jpeg[next + 1] != 0 && ((jpeg[next + 1] & 0xff) < 0xd0 || (jpeg[next + 1] & 0xff) > 0xd7))) {
                    next++;
                }
            }
            if (marker == 0xd9) {
                break;
            }
            i = next;
        }
        int eoi = jpeg.length - 2;
        assertEquals(0xd9, jpeg[eoi + 1] & 0xff, "the writer ends with EOI");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, eoi);
        for (int k = 0; k < copies; k++) {
            out.write(jpeg, lastScan, eoi - lastScan);
        }
        out.write(jpeg, eoi, 2);
        return out.toByteArray();
    }

    /** A PNG of 16-bit RGBA zeros, its rows deflated as they are written (a 96 MB image is never held). */
    static byte[] rgba16Png(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {16, 6, 0, 0, 0}); // bit depth 16, colour type 6 (RGBA), deflate, filter 0, no interlace
        chunk(png, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
            byte[] row = new byte[1 + width * 8]; // filter type 0, then 8 bytes a pixel
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        out.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
