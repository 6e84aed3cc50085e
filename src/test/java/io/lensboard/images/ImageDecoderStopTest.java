package io.lensboard.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 item 3: a decode whose client has left stops, mid-read, from the reader's own thread (ImageIO's JPEG reader
 * refuses an abort from any other), and frees its slot. The JPEG is the slowest one the budgets let through: 12
 * megapixels in 16 scans (ImageBombsTest's generator), a few seconds of one core.
 */
class ImageDecoderStopTest {
    private static final ImageDecoder.Limits LIMITS = new ImageDecoder.Limits(2 << 20, 4096, 12_000_000);

    /** The slowest decode the budgets allow: {@link ImageDecoder#MAX_PASSES} scans over the pixel limit. */
    static byte[] slowestJpeg() throws Exception {
        byte[] progressive = ImageBombsTest.progressiveJpeg(4096, 2929);
        int scans = ImageDecoder.scans(progressive);
        byte[] slow = ImageBombsTest.withCopiesOfItsLastScan(progressive, ImageDecoder.MAX_PASSES - scans);
        assertEquals(ImageDecoder.MAX_PASSES, ImageDecoder.scans(slow));
        return slow;
    }

    @Test
    void aDecodeWhoseClientLeavesStopsMidReadAndFreesItsSlot() throws Exception {
        byte[] slow = slowestJpeg();
        long t0 = System.nanoTime();
        ImageDecoder.decode(slow, LIMITS); // the whole decode, for comparison
        long wholeMs = (System.nanoTime() - t0) / 1_000_000;

        AtomicBoolean gone = new AtomicBoolean();
        long reads = ImageDecoder.reads();
        long abandoned = ImageDecoder.abandoned();
        CompletableFuture<Pixels> upload = CompletableFuture.supplyAsync(() -> ImageDecoder.pixels(slow, LIMITS, gone::get));
        while (ImageDecoder.reads() == reads) {
            Thread.onSpinWait(); // until ImageIO reads the pixels
        }
        assertEquals(1, ImageDecoder.running(), "the decode holds a slot");
        Thread.sleep(wholeMs / 10);
        long left = System.nanoTime();
        gone.set(true);
        Exception e = assertThrows(Exception.class, () -> upload.get(30, TimeUnit.SECONDS));
        long stopMs = (System.nanoTime() - left) / 1_000_000;
        System.out.println("a " + wholeMs + " ms decode stopped " + stopMs + " ms after its client left: " + e.getCause().getMessage());
        ImageProblem problem = (ImageProblem) e.getCause();
        assertEquals(499, problem.status());
        assertTrue(problem.getMessage().contains("the client left"), problem.getMessage());
        assertEquals(abandoned + 1, ImageDecoder.abandoned());
        // stopped, not run to its end: well under the rest of a whole decode
        assertTrue(stopMs < wholeMs / 2, "stopped after " + stopMs + " ms; the whole decode takes " + wholeMs + " ms");
        awaitIdle();
    }

    @Test
    void aDecodePastItsDeadlineStopsItselfAndFreesItsSlot() throws Exception {
        byte[] slow = slowestJpeg();
        ImageProblem e = assertThrows(ImageProblem.class, () -> ImageDecoder.decode(slow, LIMITS, java.time.Duration.ofMillis(300)));
        assertEquals(422, e.status());
        awaitIdle(); // the JPEG reader, which once ran on to its end past the deadline, stops at the next row
    }

    /** Waits (at most 5 s) for every decode slot to be free again. */
    static void awaitIdle() throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ImageDecoder.running() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(10);
        }
        assertEquals(0, ImageDecoder.running(), "every decode slot is free again");
    }
}
