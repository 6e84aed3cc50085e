package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.analysis.LensResult;
import io.lensboard.lens.LensQuery;
import io.lensboard.lens.LensService;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.testing.Await;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A lens stream whose browser has gone stops its computation: the page's SSE stream tells the service that its viewer
 * left once the connection closes, and the computation, queued behind other device work meanwhile, stops at its next
 * layer instead of decoding rows nobody will see.
 */
@QuarkusTest
class LensStreamStopTest {
    /** A wait for an event on another thread, not a timing assertion. */
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL base;

    @Inject
    LensService lens;

    @Inject
    ModelPool pool;

    @Test
    void aPageStreamWhoseViewerLeftStopsItsComputation() throws Exception {
        Fixtures.root();
        String prompt = "Closed the tab before the first row";
        LensQuery query = new LensQuery("gpt2-tiny", null, prompt, 5, false, LensResult.LOGIT);
        CountDownLatch release = occupyDevice();
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /lens/rows?model=gpt2-tiny&prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            assertTrue(line.contains("200"), line);
            while (!(line = in.readLine()).startsWith("event")) {
                // the response head, up to the first event (the status line: loading)
            }
            Await.until("the stream to follow the computation", WAIT, () -> lens.viewers(query) == 1);
        } // the browser leaves
        Await.until("the service to see the viewer gone", WAIT, () -> lens.viewers(query) == 0);
        long stopped = lens.stopped();
        release.countDown();
        Await.until("the computation to stop", WAIT, () -> lens.stopped() == stopped + 1);
        assertTrue(lens.cached(query).isEmpty(), "no rows were decoded for nobody");
        assertEquals(5, lens.get(query).layers().size(), "asked again, the lens is computed in full");
    }

    /** Holds the device thread, with gpt2-tiny loaded, until the returned latch is counted down. */
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
}
