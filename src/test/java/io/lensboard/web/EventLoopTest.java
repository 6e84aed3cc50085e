package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.Threads;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * No database read, device wait or rendering runs on a Vert.x event-loop thread: every stream and page is opened
 * (a cold model's loading included), and none of the guarded blocking calls ({@link Threads#blocking}) was refused.
 */
@QuarkusTest
class EventLoopTest {

    @Inject
    Vertx vertx;

    @Test
    void noStreamOrPageBlocksAnEventLoop() throws Exception {
        Fixtures.root();
        int before = Threads.refusedOnEventLoop();
        String run = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "steps", 4));
        String table = given().contentType("application/json").body(Map.of("kind", "exhaustive", "models", List.of("gpt2-tiny"),
                "layers", List.of(1), "features", List.of("[:, :, 0]"), "params", Map.of("topk", 3)))
                .post("/api/alignments").then().statusCode(201).extract().path("id");
        String study = given().contentType("application/json").body(Map.of("kind", "reconstruction", "models", List.of("gpt2-tiny"),
                "blocks", List.of(1), "lm_head", List.of(true), "seeds", List.of(0), "params", Map.of("prompt", "Hi", "steps", 4)))
                .post("/api/studies").then().statusCode(201).extract().path("id");
        for (String stream : List.of("/api/lens/stream?model=gpt2-tiny&prompt=Threads%20matter",
                "/lens/rows?model=llama-tiny:untrained&prompt=A%20cold%20model%20loads",
                "/api/runs/" + run + "/events", "/runs/" + run + "/live", "/alignments/" + table + "/cells",
                "/studies/" + study + "/rows")) {
            String body = given().get(stream).then().statusCode(200).extract().asString();
            assertTrue(body.contains("event:"), stream + " streamed: " + body);
        }
        RunsApi.finished(run);
        for (String page : List.of("/", "/lens?model=gpt2-tiny&prompt=Threads%20matter", "/compare?a=gpt2-tiny&b=gpt2-tiny:untrained&prompt=x",
                "/runs", "/runs/" + run, "/runs/" + run + "/result", "/alignments", "/alignments/" + table, "/api/runs", "/api/alignments/" + table,
                "/studies", "/studies/" + study, "/api/studies", "/api/studies/" + study)) {
            given().get(page).then().statusCode(200);
        }
        assertEquals(before, Threads.refusedOnEventLoop(), "blocking calls refused on an event loop (see the log)");
    }

    @Test
    void theGuardRefusesBlockingWorkOnAnEventLoop() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        vertx.runOnContext(v -> refused.complete(assertThrows(IllegalStateException.class, () -> Threads.blocking("a test"))));
        assertTrue(refused.get(10, TimeUnit.SECONDS).getMessage().contains("event loop"));
    }
}
