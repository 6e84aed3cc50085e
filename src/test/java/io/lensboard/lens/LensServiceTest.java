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
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The lens service: one path for every view, tokenizing on the device thread, results remembered. */
@QuarkusTest
class LensServiceTest {

    @Inject
    LensService lens;

    /** Records what a listener is told, and on which thread. */
    static final class Recorder implements LensListener {
        final List<String> events = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        Input input;
        final List<LensResult.Layer> layers = new ArrayList<>();
        LensResult result;
        Throwable failure;

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
    }

    @Test
    void reportsTheTokensItDecodesFromInsideTheDeviceWork() {
        Fixtures.root();
        Recorder r = new Recorder();
        LensResult result = lens.stream(new LensQuery("gpt2-tiny", "Tokens inside the lease", 3, false), r).join();
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
        LensQuery query = new LensQuery("gpt2-tiny", "Remember me", 5, true);
        LensResult first = lens.get(query);
        assertSame(first, lens.cached(query).orElseThrow(), "a metric switch or a cell click re-renders without recomputing");
        assertSame(first, lens.get(query));
        assertEquals(query, lens.recent().get(0), "newest first");
    }

    @Test
    void tellsTheListenerWhenThePromptDoesNotFitTheModel() {
        Fixtures.root();
        Recorder r = new Recorder();
        LensQuery query = new LensQuery("gpt2-tiny", "word ".repeat(200), 5, false);
        assertThrows(CompletionException.class, () -> lens.stream(query, r).join());
        assertEquals(List.of("failed"), r.events, "no tokens, no layers: the prompt is checked inside the device work");
        assertInstanceOf(InvalidInputException.class, r.failure);
        assertTrue(r.failure.getMessage().contains("context of 128 tokens"), r.failure.getMessage());
        assertThrows(InvalidInputException.class, () -> lens.get(query), "get rethrows the failure itself");
    }

    @Test
    void tellsTheListenerAboutAnUnknownModelToo() {
        Recorder r = new Recorder();
        assertThrows(CompletionException.class, () -> lens.stream(new LensQuery("no-such-model", "hi", 5, false), r).join());
        assertEquals(List.of("failed"), r.events);
    }

    @Test
    void parsesRequestParametersWithTheApisMessages() {
        assertEquals(new LensQuery("m", "hi", 7, true), LensQuery.parse("m", "hi", " 7 ", "on"));
        assertEquals(new LensQuery("m", "hi", 5, false), LensQuery.parse("m", "hi", "5", ""));
        assertEquals("prompt is empty: pass prompt=<text>",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", "", "5", "0")).getMessage());
        assertEquals("topk must be a whole number between 1 and 100, got 'x'",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", "hi", "x", "0")).getMessage());
        assertEquals("topk must be between 1 and 100, got 101",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", "hi", "101", "0")).getMessage());
        assertEquals("sub must be 1 or 0, got 'yes'",
                assertThrows(InvalidInputException.class, () -> LensQuery.parse("m", "hi", "5", "yes")).getMessage());
    }
}
