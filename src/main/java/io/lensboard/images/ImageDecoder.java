package io.lensboard.images;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted PNG and JPEG bytes with every size checked before the work it bounds: the byte count first,
 * then the format by its magic number, then the width and height from the header (ImageIO's reader reads only
 * the header for them), and only then the pixels. A small file that claims a huge image (a decompression bomb)
 * is refused before a pixel is allocated, and so is one whose pixels take more bytes than the pixel limit allows at
 * four bytes each (a 16-bit RGBA PNG doubles them). A JPEG's scans are counted from its markers first: each scan of a
 * progressive JPEG makes the decoder pass over the whole image again, so a 97 KB file of a thousand tiny scans costs
 * minutes. What still gets through decodes under a deadline, stopped past it or once its client has left (the reader
 * aborts itself from its own progress callback), and at most a few decodes run at once, so that a burst of uploads
 * cannot hold every core or the heap.
 */
public final class ImageDecoder {

    /** The limits: bytes of the file, pixels on a side, pixels in all. */
    public record Limits(long maxBytes, int maxSide, long maxPixels) {}

    /** A decoded image and what it was. */
    public record Decoded(BufferedImage image, String mediaType) {}

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    /** A progressive JPEG from libjpeg or a camera has about ten scans; a few dozen is generous. */
    static final int MAX_SCANS = 64;
    /**
     * Scans times pixels, in passes over an image at the pixel limit: libjpeg's progressive script is 10 (1.7 s for
     * 12 megapixels on one 2026 core), so 16 leaves room and bounds a decode to a few seconds.
     */
    static final int MAX_PASSES = 16;
    /** A 12-megapixel JPEG decodes in under two seconds; a caller is answered 422 once a decode takes longer than this. */
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final Duration QUEUE_WAIT = Duration.ofSeconds(30);
    /** How often a decode waiting for its turn looks whether its client is still there. */
    private static final long QUEUE_POLL_MS = 100;
    /** How many decodes run at once (each holds at most 4 x max-pixels bytes): the others wait their turn. */
    private static final int SLOTS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final Semaphore DECODES = new Semaphore(SLOTS);
    private static final ExecutorService DECODERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lensboard-image-decoder");
        t.setDaemon(true);
        return t;
    });
    /** Reads of pixels begun by ImageIO, and those stopped because their client left (for tests and the README). */
    private static final AtomicLong READS = new AtomicLong();
    private static final AtomicLong ABANDONED = new AtomicLong();

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

    /** The image, or an {@link ImageProblem} (413, 415, 422; 503 when every decoder stays busy) saying what to change. */
    static Decoded decode(byte[] bytes, Limits limits) {
        return decode(bytes, limits, DEADLINE, () -> false);
    }

    /**
     * The image's {@link Pixels}, read off the decoded image while the decode still holds its place among the few
     * that may run at once (so the copy is bounded with the decode). For a client that may leave: once {@code
     * abandoned} says it has (looked at while the decode waits for its turn and at every row the decoder writes),
     * the decode stops, frees its place and answers 499.
     */
    static Pixels pixels(byte[] bytes, Limits limits, BooleanSupplier abandoned) {
        return decode(bytes, limits, DEADLINE, abandoned, decoded -> Pixels.of(decoded.image()));
    }

    static Decoded decode(byte[] bytes, Limits limits, Duration deadline) {
        return decode(bytes, limits, deadline, () -> false);
    }

    static Decoded decode(byte[] bytes, Limits limits, Duration deadline, BooleanSupplier abandoned) {
        return decode(bytes, limits, deadline, abandoned, decoded -> decoded);
    }

    /**
     * Answers 422 once the decode has taken {@code deadline}. The decode runs on a decoder thread, which stops it
     * itself: ImageIO's JPEG reader refuses {@code abort()} from any thread but the one reading, so the reader's own
     * progress callback, called on that thread after every row, aborts it once the deadline has passed or the client
     * has left. The place among the few decodes that may run at once is held until the decode has really stopped, and
     * while {@code then} makes what the caller keeps of the image.
     */
    private static <T> T decode(byte[] bytes, Limits limits, Duration deadline, BooleanSupplier abandoned, Function<Decoded, T> then) {
        String mediaType = mediaType(bytes, limits);
        int scans = mediaType.equals("image/jpeg") ? scans(bytes) : 1;
        waitForASlot(abandoned);
        Stop stop = new Stop(System.nanoTime() + deadline.toNanos(), abandoned);
        CompletableFuture<T> work;
        try {
            work = CompletableFuture.supplyAsync(() -> then.apply(decodeNow(bytes, mediaType, scans, limits, stop)), DECODERS);
        } catch (RuntimeException rejected) {
            DECODES.release();
            throw ImageProblem.busy("no image decoder can start now: try again shortly");
        }
        work.whenComplete((image, failure) -> DECODES.release()); // held until the decode really ends
        try {
            return work.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            throw tooSlow(deadline);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ImageProblem.busy("the decode was interrupted");
        }
    }

    /** Takes one of the decode slots, giving up after {@link #QUEUE_WAIT} (503) or once the client has left (499). */
    private static void waitForASlot(BooleanSupplier abandoned) {
        long giveUpAt = System.nanoTime() + QUEUE_WAIT.toNanos();
        try {
            while (!DECODES.tryAcquire(QUEUE_POLL_MS, TimeUnit.MILLISECONDS)) {
                if (abandoned.getAsBoolean()) {
                    ABANDONED.incrementAndGet();
                    throw ImageProblem.abandoned("the client left while its image waited to be decoded");
                }
                if (System.nanoTime() - giveUpAt > 0) {
                    throw ImageProblem.busy("every image decoder stayed busy for " + QUEUE_WAIT.toSeconds() + " s: try again shortly");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ImageProblem.busy("the decode was interrupted before it started");
        }
    }

    private static ImageProblem tooSlow(Duration deadline) {
        return ImageProblem.undecodable("the image took more than " + deadline.toMillis() + " ms to decode and was "
                + "given up: save it again as a baseline JPEG or a PNG");
    }

    private static Decoded decodeNow(byte[] bytes, String mediaType, int scans, Limits limits, Stop stop) {
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
                checkDecodedBytes(reader, width, height, limits);
                if ((long) scans * width * height > MAX_PASSES * limits.maxPixels()) {
                    throw ImageProblem.undecodable("the JPEG has " + scans + " scans of " + width + "x" + height + " pixels, and each "
                            + "costs a pass over the whole image; at most " + MAX_PASSES + " passes over " + limits.maxPixels()
                            + " pixels are accepted: save it again as a baseline JPEG, or scale it down");
                }
                reader.addIIOReadProgressListener(stop);
                READS.incrementAndGet();
                BufferedImage image = reader.read(0);
                if (stop.abandoned) {
                    ABANDONED.incrementAndGet();
                    throw ImageProblem.abandoned("the client left while its image was decoded");
                }
                if (stop.late) {
                    throw ImageProblem.undecodable("the image's decode passed its deadline and was stopped");
                }
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

    /** How many decodes hold a slot now: 0 when the decoders are idle. */
    static int running() {
        return SLOTS - DECODES.availablePermits();
    }

    /** How many times ImageIO has begun to read an image's pixels since start. */
    static long reads() {
        return READS.get();
    }

    /** How many decodes stopped because their client left, since start. */
    static long abandoned() {
        return ABANDONED.get();
    }

    /**
     * Called by the reader on its own thread after each row it writes (both ImageIO's PNG and JPEG readers do, the
     * JPEG one on every pass of a progressive file): aborts the read past the deadline or once the client has left.
     * The reader then returns what it has so far, which {@link #decodeNow} throws away.
     */
    private static final class Stop implements IIOReadProgressListener {
        private final long deadlineNanos;
        private final BooleanSupplier gone;
        boolean abandoned; // read by decodeNow, on the reader's thread like these callbacks
        boolean late;

        Stop(long deadlineNanos, BooleanSupplier gone) {
            this.deadlineNanos = deadlineNanos;
            this.gone = gone;
        }

        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            if (abandoned || late) {
                return; // asked already: the reader is winding down
            }
            abandoned = gone.getAsBoolean();
            late = System.nanoTime() - deadlineNanos > 0;
            if (abandoned || late) {
                source.abort();
            }
        }

        @Override
        public void sequenceStarted(ImageReader source, int minIndex) {}

        @Override
        public void sequenceComplete(ImageReader source) {}

        @Override
        public void imageStarted(ImageReader source, int imageIndex) {}

        @Override
        public void imageComplete(ImageReader source) {}

        @Override
        public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {}

        @Override
        public void thumbnailProgress(ImageReader source, float percentageDone) {}

        @Override
        public void thumbnailComplete(ImageReader source) {}

        @Override
        public void readAborted(ImageReader source) {}
    }

    /**
     * The bytes the decoded pixels will take, from the header's image type (bands and bits per sample), refused (413)
     * beyond what the pixel limit allows at four bytes a pixel.
     */
    private static void checkDecodedBytes(ImageReader reader, int width, int height, Limits limits) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        if (type == null) {
            return; // no type known before decoding: the pixel limits above still bound it
        }
        SampleModel model = type.getSampleModel(1, 1);
        long perPixel = (long) model.getNumDataElements() * DataBuffer.getDataTypeSize(model.getTransferType()) / 8;
        long bytes = (long) width * height * Math.max(1, perPixel);
        long max = 4 * limits.maxPixels();
        if (bytes > max) {
            throw ImageProblem.tooLarge("the image decodes to " + bytes + " bytes (" + width + "x" + height + " pixels of "
                    + perPixel + " bytes); at most " + max + " are accepted: save it with 8 bits per channel or scale it down");
        }
    }

    /**
     * A JPEG's scans, counted by walking its markers (segments by their length, entropy-coded data up to the next
     * marker); more than {@link #MAX_SCANS} are refused (422) at once. Where the walk cannot follow the file it returns
     * the scans seen so far and leaves the file to the decoder to refuse.
     */
    static int scans(byte[] b) {
        int scans = 0;
        int i = 2; // after SOI
        while (i + 1 < b.length) {
            if ((b[i] & 0xff) != 0xff) {
                return scans;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) { // fill byte before a marker
                i++;
                continue;
            }
            if (marker == 0xd9) { // EOI
                return scans;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
                i += 2;
                continue;
            }
            if (i + 3 >= b.length) {
                return scans;
            }
            i += 2 + (((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff));
            if (marker == 0xda) {
                if (++scans > MAX_SCANS) {
                    throw ImageProblem.undecodable("the JPEG has more than " + MAX_SCANS + " scans (a progressive JPEG has about 10, "
                            + "and each costs a pass over the whole image): save it again, as a baseline JPEG or a PNG");
                }
                // entropy-coded data: up to a byte 0xff that is neither stuffing (0x00) nor a restart marker
                while (i + 1 < b.length && !((b[i] & 0xff) == 0xff && b[i + 1] != 0 && ((b[i + 1] & 0xff) < 0xd0 || (b[i + 1] & 0xff) > 0xd7))) {
                    i++;
                }
            }
        }
        return scans;
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
