package io.lensboard.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LensResult;
import io.quarkus.test.junit.QuarkusTest;
import io.lensboard.model.pool.ModelPool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lens service: one path for every view, tokenizing on the device thread, results remembered, identical requests
 * in flight computed once, and a computation nobody follows any more stopped.
 */
@QuarkusTest
class LensServiceTest {

    @Inject
    LensService lens;

    @Inject
    ModelPool pool;

    /** Records what a listener is told, and on which thread. */
    static class Recorder implements LensListener {
        final List<String> events = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        Input input;
        final List<LensResult.Layer> layers = new ArrayList<>();
        LensResult result;
        Throwable failure;
        int leaveAfterLayers = Integer.MAX_VALUE; // the viewer goes once it has seen this many layers

        private void saw(String event) {
            events.add(event);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void started(Input input) {
            saw("started");
            this.input = input;
        }

        @Override
        public void layer(LensResult.Layer layer) {
            saw("layer");
            layers.add(layer);
        }

        @Override
        public void done(LensResult result) {
            saw("done");
            this.result = result;
        }

        @Override
        public void failed(Throwable failure) {
            saw("failed");
            this.failure = failure;
        }

        @Override
        public boolean closed() {
            return layers.size() >= leaveAfterLayers;
        }
    }

    /** Holds the device thread with gpt2-tiny loaded until the returned latch is counted down. */
    private CountDownLatch occupyDevice() throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.run("gpt2-tiny", m -> {
            busy.countDown();
            try {
                return release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(busy.await(60, TimeUnit.SECONDS), "the device thread took the blocking task");
        return release;
    }

    @Test
    void identicalRequestsInFlightShareOneComputation() throws InterruptedException {
        Fixtures.root();
        LensQuery query = new LensQuery("gpt2-tiny", null, "Two viewers, one computation", 3, false, LensResult.LOGIT);
        CountDownLatch release = occupyDevice(); // both requests arrive while the first is still queued
        long before = lens.computations();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        CompletableFuture<LensResult> first = lens.stream(query, a);
        CompletableFuture<LensResult> second = lens.stream(query, b);
        assertEquals(2, lens.viewers(query));
        release.countDown();
        assertSame(first.join(), second.join(), "one result for both");
        assertEquals(before + 1, lens.computations(), "one computation for both");
        assertEquals(List.of("started", "layer", "layer", "layer", "layer", "layer", "done"), b.events);
        assertEquals(a.layers, b.layers);
        assertEquals(0, lens.viewers(query), "nothing in flight once done");
    }

    @Test
    void aViewerWhoJoinsLateIsToldWhatItMissedFirst() {
        Fixtures.root();
        LensQuery query = new LensQuery("gpt2-tiny", null, "A late viewer catches up", 3, true, LensResult.LOGIT);
        long before = lens.computations();
        Recorder late = new Recorder();
        Recorder first = new Recorder() {
            @Override
            public void layer(LensResult.Layer layer) {
                super.layer(layer);
                if (layers.size() == 2) {
                    lens.stream(query, late); // joins while the computation runs, two layers in
                }
            }
        };
        LensResult result = lens.stream(query, first).join();
        assertEquals(before + 1, lens.computations());
        assertEquals(first.events, late.events, "the tokens, every layer in order, then the end");
        assertEquals(result.layers(), late.layers);
        assertSame(result, late.result);
    }

    @Test
    void aComputationWhoseViewersAllLeftStopsAtTheNextLayer() {
        Fixtures.root();
        LensQuery query = new LensQuery("gpt2-tiny", null, "Nobody watches this to the end", 3, true, LensResult.LOGIT);
        long stoppedBefore = lens.stopped();
        Recorder leaves = new Recorder();
        leaves.leaveAfterLayers = 1;
        CompletableFuture<LensResult> work = lens.stream(query, leaves);
        CompletionException e = assertThrows(CompletionException.class, work::join);
        // The future completes after the device task has ended, so the model's lease is already released here.
        assertInstanceOf(CancellationException.class, e.getCause());
        assertEquals(List.of("started", "layer"), leaves.events, "stopped after layer 0 of 9 rows; a viewer gone is told nothing more");
        assertEquals(stoppedBefore + 1, lens.stopped());
        assertTrue(lens.cached(query).isEmpty(), "a stopped lens leaves no result");

        Recorder stays = new Recorder();
        assertEquals(9, lens.stream(query, stays).join().layers().size(), "the next request computes it afresh");
    }

    @Test
    void aComputationGoesOnWhileOneViewerRemains() throws InterruptedException {
        Fixtures.root();
        LensQuery query = new LensQuery("gpt2-tiny", null, "One viewer leaves, one stays", 3, false, LensResult.LOGIT);
        CountDownLatch release = occupyDevice();
        long stoppedBefore = lens.stopped();
        Recorder leaves = new Recorder();
        leaves.leaveAfterLayers = 1;
        Recorder stays = new Recorder();
        CompletableFuture<LensResult> left = lens.stream(query, leaves);
        CompletableFuture<LensResult> stayed = lens.stream(query, stays);
        release.countDown();
        assertEquals(5, stayed.join().layers().size());
        assertSame(stayed.join(), left.join());
        assertEquals(stoppedBefore, lens.stopped());
    }

    @Test
    void reportsTheTokensItDecodesFromInsideTheDeviceWork() {
        Fixtures.root();
        Recorder r = new Recorder();
        LensResult result = lens.stream(new LensQuery("gpt2-tiny", null, "Tokens inside the lease", 3, false, LensResult.LOGIT), r).join();
        assertEquals(List.of("started", "layer", "layer", "layer", "layer", "layer", "done"), r.events);
        // started and every layer come from the one task that holds the lease on the model's device thread
        r.threads.subList(0, 6).forEach(t -> assertTrue(t.startsWith("lensboard-device-"), "tokenized on " + t));
        assertEquals(result.tokens(), r.input.tokens(), "the tokens reported are the tokens decoded");
        assertEquals("gpt2-tiny", r.input.model());
        assertEquals(4, r.input.nLayers());
        assertEquals(result.layers(), r.layers);
        assertSame(result, r.result);
    }

    @Test
    void remembersAResultForTheNextViewAndTheHomePage() {
        Fixtures.root();
        LensQuery query = new LensQuery("gpt2-tiny", null, "Remember me", 5, true, LensResult.LOGIT);
        LensResult first = lens.get(query);
        assertSame(first, lens.cached(query).orElseThrow(), "a metric switch or a cell click re-renders without recomputing");
        assertSame(first, lens.get(query));
        assertEquals(query, lens.recent().get(0), "newest first");
    }

    @Test
    void tellsTheListenerWhenThePromptDoesNotFitTheModel() {
        Fixtures.root();
        Recorder r = new Recorder();
        LensQuery query = new LensQuery("gpt2-tiny", null, "word ".repeat(200), 5, false, LensResult.LOGIT);
        assertThrows(CompletionException.class, () -> lens.stream(query, r).join());
        assertEquals(List.of("failed"), r.events, "no tokens, no layers: the prompt is checked inside the device work");
        assertInstanceOf(InvalidInputException.class, r.failure);
        assertTrue(r.failure.getMessage().contains("context of 128 tokens"), r.failure.getMessage());
        assertThrows(InvalidInputException.class, () -> lens.get(query), "get rethrows the failure itself");
    }

    @Test
    void tellsTheListenerAboutAnUnknownModelToo() {
        Recorder r = new Recorder();
        assertThrows(CompletionException.class, () -> lens.stream(new LensQuery("no-such-model", null, "hi", 5, false, LensResult.LOGIT), r).join());
        assertEquals(List.of("failed"), r.events);
    }

    @Test
    void parsesRequestParametersWithTheApisMessages() {
        assertEquals(new LensQuery("m", null, "hi", 7, true, LensResult.LOGIT), LensQuery.parse("m", null, "hi", " 7 ", "on", null));
        assertEquals(new LensQuery("m", null, "hi", 5, false, LensResult.LOGIT), LensQuery.parse("m", null, "hi", "5", "", null));
        assertEquals("prompt is empty: pass prompt=<text>",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", null, "", "5", "0", null)).getMessage());
        assertEquals("topk must be a whole number between 1 and 100, got 'x'",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", null, "hi", "x", "0", null)).getMessage());
        assertEquals("topk must be between 1 and 100, got 101",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", null, "hi", "101", "0", null)).getMessage());
        assertEquals("sub must be 1 or 0, got 'yes'",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", null, "hi", "5", "yes", null)).getMessage());
    }
}
