package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hardening issue's proof: a table of hostile and careless requests across every endpoint, each answered
 * with its 4xx and a body that names the problem (JSON {"status","error"} in the API, an HTML page for pages),
 * never a stack trace, a class name or SQL; and after each one the server still lists its models and computes a lens.
 * Beside the shared fixtures the catalog holds two models made at test time from gpt2-tiny whose tokenizer and
 * checkpoint disagree ({@link DisagreeingModels}).
 */
@QuarkusTest
@TestProfile(ReliabilityTest.DisagreeingModels.class)
class ReliabilityTest {

    /**
     * A temporary models directory beside the fixtures: {@code vocab-1000} is gpt2-tiny's config with vocab_size 1000
     * (no weights: its untrained twin) and gpt2-tiny's 50,257-token tokenizer, refused at load; {@code added-token} is
     * gpt2-tiny (its weights linked) whose tokenizer has one more added token, {@code <|extra|>}, at id 50257, just past
     * the embedding's 50,257 rows: it loads, and a prompt holding that token is refused per request.
     */
    public static class DisagreeingModels implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures")).toAbsolutePath().normalize();
            Path gpt2 = fixtures.resolve("gpt2-tiny");
            try {
                Path dir = Files.createTempDirectory("lensboard-disagreeing-models");
                if (Files.isDirectory(gpt2)) {
                    Path small = Files.createDirectories(dir.resolve("vocab-1000"));
                    ObjectNode config = (ObjectNode) JSON.readTree(gpt2.resolve("config.json").toFile());
                    config.put("vocab_size", 1000);
                    // special tokens inside the smaller vocabulary, so that only the tokenizer disagrees with it
                    config.put("bos_token_id", 0).put("eos_token_id", 0);
                    JSON.writeValue(small.resolve("config.json").toFile(), config);
                    Files.copy(gpt2.resolve("tokenizer.json"), small.resolve("tokenizer.json"));

                    Path added = Files.createDirectories(dir.resolve("added-token"));
                    Files.copy(gpt2.resolve("config.json"), added.resolve("config.json"));
                    Files.createSymbolicLink(added.resolve("model.safetensors"), gpt2.resolve("model.safetensors"));
                    ObjectNode tokenizer = (ObjectNode) JSON.readTree(gpt2.resolve("tokenizer.json").toFile());
                    ((ArrayNode) tokenizer.get("added_tokens")).addObject().put("id", 50257).put("content", "<|extra|>")
                            .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false)
                            .put("special", false);
                    JSON.writeValue(added.resolve("tokenizer.json").toFile(), tokenizer);
                }
                return Map.of("lensboard.models.dirs", fixtures + "," + fixtures.resolve("stories260K") + "," + dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private static final List<String> LEAKS = List.of("Exception", "at io.", "SQL", "org.h2", "jdbc", "\tat ");
    private static final String[] KINDS = {"reconstruction", "ascent", "softmax-prior", "exhaustive", "greedy"};
    private static final String HTML = "text/html";
    private static final String FORM = "application/x-www-form-urlencoded";

    @TestHTTPResource("/")
    URL base;

    /** One bad request: what is sent, the status expected, and a piece of the body that names the problem. */
    record Bad(String method, String path, String contentType, String body, Map<String, String> headers, int status, String says) {
        Bad header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Bad(method, path, contentType, body, h, status, says);
        }

        boolean page() {
            return !path.startsWith("/api/") && HTML.equals(headers.get("Accept"));
        }

        @Override
        public String toString() {
            String p = path.length() > 90 ? path.substring(0, 90) + "…" : path;
            String b = body == null ? "" : " " + (body.length() > 120 ? body.substring(0, 120) + "…" : body);
            return method + " " + p + b + " -> " + status;
        }
    }

    private static Bad get(String path, int status, String says) {
        return new Bad("GET", path, null, null, Map.of("Accept", "*/*"), status, says);
    }

    /** As an EventSource (htmx's sse extension) asks for a stream. */
    private static Bad sse(String path, int status, String says) {
        return new Bad("GET", path, null, null, Map.of("Accept", "text/event-stream"), status, says);
    }

    private static Bad page(String path, int status, String says) {
        return new Bad("GET", path, null, null, Map.of("Accept", HTML), status, says);
    }

    private static Bad post(String path, String contentType, String body, int status, String says) {
        return new Bad("POST", path, contentType, body, Map.of("Accept", "*/*"), status, says);
    }

    private static Bad json(String path, String body, int status, String says) {
        return post(path, "application/json", body, status, says);
    }

    private static Bad form(String path, String body, int status, String says) {
        return new Bad("POST", path, FORM, body, Map.of("Accept", HTML), status, says);
    }

    private static String run(String kind, String params) {
        return "{\"kind\":\"" + kind + "\",\"model\":\"gpt2-tiny\",\"params\":" + params + "}";
    }

    static Stream<Arguments> badRequests() {
        List<Bad> t = new ArrayList<>();
        String longText = "x".repeat(30_000);
        String tooManyTokens = "hello ".repeat(300).trim();

        // GET /api/lens, /api/lens/stream, /api/lens/csv: the same validation, before any work or stream starts
        for (String lens : List.of("/api/lens", "/api/lens/stream", "/api/lens/csv")) {
            t.add(get(lens, 400, "prompt"));
            t.add(get(lens + "?prompt=hi", 400, "model"));
            t.add(get(lens + "?model=&prompt=hi", 400, "model"));
            t.add(get(lens + "?model=gpt2-tiny", 400, "prompt"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=", 400, "prompt"));
            t.add(get(lens + "?model=no-such-model&prompt=hi", 404, "unknown model"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=0", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=-5", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=101", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=99999999999999999999", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=abc", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&topk=1.5", 400, "topk"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=hi&sub=maybe", 400, "sub"));
            t.add(get(lens + "?model=gpt2-tiny&prompt=" + tooManyTokens.replace(" ", "%20"), 400, "context"));
            t.add(get(lens + "?model=hf:..%2F..%2Fetc%2Fpasswd&prompt=hi", 400, "is not allowed"));
            t.add(get(lens + "?model=hf:a/b/../../c&prompt=hi", 400, "is not allowed"));
            t.add(get(lens + "?model=" + "m".repeat(3000) + "&prompt=hi", 400, "model"));
            t.add(get(lens + "?model=gpt2%00tiny&prompt=hi", 404, "unknown model"));
        }
        t.add(sse("/api/lens/stream?model=llama-tiny&prompt=" + tooManyTokens.replace(" ", "%20"), 400, "context"));
        t.add(sse("/api/lens/stream?model=gpt2-tiny&prompt=" + tooManyTokens.replace(" ", "%20"), 400, "context"));
        t.add(sse("/api/lens/stream?model=gpt2-tiny&prompt=hi&topk=0", 400, "topk"));
        t.add(sse("/api/lens/stream?model=no-such-model&prompt=hi", 404, "unknown model"));
        t.add(get("/api/lens/stream?model=gpt2-tiny&prompt=hi", 406, "Accept").header("Accept", "application/json"));

        // /api/models, /api/models/status, /api/models/load
        t.add(get("/api/models/status", 400, "model"));
        t.add(get("/api/models/status?model=", 400, "model"));
        t.add(get("/api/models/status?model=no-such-model", 404, "unknown model"));
        t.add(get("/api/models/status?model=hf:../../etc", 400, "is not allowed"));
        t.add(get("/api/models/status?model=%E2%80%AE%01%02", 404, "unknown model"));
        t.add(post("/api/models/load", null, null, 400, "model"));
        t.add(post("/api/models/load?model=", null, null, 400, "model"));
        t.add(post("/api/models/load?model=no-such-model", null, null, 404, "unknown model"));
        t.add(post("/api/models/load?model=hf:..%2F..%2Fsecret", null, null, 400, "is not allowed"));
        t.add(post("/api/models/load?model=" + "z".repeat(2000), null, null, 400, "model"));
        t.add(new Bad("DELETE", "/api/models", null, null, Map.of("Accept", "application/json"), 405, "DELETE"));
        t.add(new Bad("PUT", "/api/models/load?model=gpt2-tiny", "application/json", "{}", Map.of("Accept", "application/json"), 405, "PUT"));

        // POST /api/runs: the body itself
        t.add(json("/api/runs", "", 400, "JSON body"));
        t.add(json("/api/runs", "{", 400, "not valid JSON"));
        t.add(json("/api/runs", "{\"kind\":", 400, "not valid JSON"));
        t.add(json("/api/runs", "not json at all", 400, "not valid JSON"));
        t.add(json("/api/runs", "null", 400, "JSON body"));
        t.add(json("/api/runs", "[]", 400, "JSON object"));
        t.add(json("/api/runs", "[{\"kind\":\"reconstruction\"}]", 400, "JSON object"));
        t.add(json("/api/runs", "42", 400, "JSON object"));
        t.add(json("/api/runs", "\"reconstruction\"", 400, "JSON object"));
        t.add(json("/api/runs", "{}", 400, "kind"));
        t.add(json("/api/runs", "{\"kind\":null,\"model\":\"gpt2-tiny\",\"params\":{}}", 400, "kind"));
        t.add(json("/api/runs", "{\"kind\":\"nope\",\"model\":\"gpt2-tiny\",\"params\":{}}", 400, "unknown run kind"));
        t.add(json("/api/runs", "{\"kind\":[\"reconstruction\"],\"model\":\"gpt2-tiny\",\"params\":{}}", 400, "kind"));
        t.add(json("/api/runs", "{\"kind\":{\"a\":1},\"model\":\"gpt2-tiny\",\"params\":{}}", 400, "kind"));
        t.add(json("/api/runs", "{\"kind\":\"" + longText + "\",\"model\":\"gpt2-tiny\",\"params\":{}}", 400, "unknown run kind"));
        t.add(json("/api/runs", "{\"kind\":\"reconstruction\",\"model\":\"gpt2-tiny\",\"parms\":{\"prompt\":\"a\"}}", 400, "prompt"));
        t.add(post("/api/runs", "text/plain", run("reconstruction", "{\"prompt\":\"a\"}"), 415, "application/json"));
        t.add(post("/api/runs", FORM, "kind=reconstruction&model=gpt2-tiny", 415, "application/json"));
        t.add(post("/api/runs", null, null, 400, "JSON body"));
        for (String kind : KINDS) {
            t.add(json("/api/runs", "{\"kind\":\"" + kind + "\"}", 400, "model"));
            t.add(json("/api/runs", "{\"kind\":\"" + kind + "\",\"model\":null,\"params\":{}}", 400, "model"));
            t.add(json("/api/runs", "{\"kind\":\"" + kind + "\",\"model\":\"no-such-model\",\"params\":{\"prompt\":\"a\",\"layer\":1,\"feature\":\"[:, :, 1]\"}}", 404, "unknown model"));
            t.add(json("/api/runs", "{\"kind\":\"" + kind + "\",\"model\":\"hf:../../x\",\"params\":{}}", 400, "is not allowed"));
            t.add(json("/api/runs", "{\"kind\":\"" + kind + "\",\"model\":42,\"params\":{}}", 404, "unknown model"));
            t.add(json("/api/runs", run(kind, "\"x\""), 400, "params must be a JSON object"));
            t.add(json("/api/runs", run(kind, "[1,2]"), 400, "params must be a JSON object"));
            t.add(json("/api/runs", run(kind, "{\"nonsense\":1,\"prompt\":\"a\",\"layer\":1,\"feature\":\"[:, :, 1]\"}"), 400, "nonsense"));
        }
        // reconstruction's parameters, each out of range or of the wrong type
        Map<String, String> recon = new LinkedHashMap<>();
        recon.put("{\"prompt\":\"\"}", "prompt");
        recon.put("{\"prompt\":null}", "prompt");
        recon.put("{\"prompt\":42}", "prompt");
        recon.put("{\"prompt\":[\"a\"]}", "prompt");
        recon.put("{\"prompt\":\"" + longText + "\"}", "prompt");
        recon.put("{\"prompt\":\"a\",\"blocks\":-1}", "blocks");
        recon.put("{\"prompt\":\"a\",\"blocks\":\"two\"}", "blocks");
        recon.put("{\"prompt\":\"a\",\"blocks\":99}", "blocks");
        recon.put("{\"prompt\":\"a\",\"steps\":0}", "steps");
        recon.put("{\"prompt\":\"a\",\"steps\":1e12}", "steps");
        recon.put("{\"prompt\":\"a\",\"steps\":2.5}", "steps");
        recon.put("{\"prompt\":\"a\",\"lr\":0}", "lr");
        recon.put("{\"prompt\":\"a\",\"lr\":-1}", "lr");
        recon.put("{\"prompt\":\"a\",\"lr\":\"fast\"}", "lr");
        recon.put("{\"prompt\":\"a\",\"loss\":\"l3\"}", "loss");
        recon.put("{\"prompt\":\"a\",\"optimizer\":\"sgd\"}", "optimizer");
        recon.put("{\"prompt\":\"a\",\"topk\":0}", "topk");
        recon.put("{\"prompt\":\"a\",\"topk\":101}", "topk");
        recon.put("{\"prompt\":\"a\",\"seed\":-1}", "seed");
        recon.put("{\"prompt\":\"a\",\"decode_every\":0}", "decode_every");
        recon.put("{\"prompt\":\"a\",\"mu\":1e9}", "mu");
        recon.put("{\"prompt\":\"a\",\"sigma\":\"NaN\"}", "sigma");
        recon.put("{\"prompt\":\"a\",\"final_norm\":\"yes\"}", "final_norm");
        recon.put("{\"prompt\":\"a\",\"lm_head\":3}", "lm_head");
        recon.forEach((params, says) -> t.add(json("/api/runs", run("reconstruction", params), 400, says)));
        // the feature kinds' parameters
        String f = "\"layer\":1,\"feature\":\"[:, :, 5]\"";
        for (String kind : List.of("ascent", "softmax-prior", "exhaustive", "greedy")) {
            t.add(json("/api/runs", run(kind, "{\"layer\":0,\"feature\":\"[:, :, 5]\"}"), 400, "layer"));
            t.add(json("/api/runs", run(kind, "{\"layer\":1}"), 400, "feature"));
            t.add(json("/api/runs", run(kind, "{\"layer\":-1,\"feature\":\"[:, :, 5]\"}"), 400, "layer"));
            t.add(json("/api/runs", run(kind, "{\"layer\":99,\"feature\":\"[:, :, 5]\"}"), 400, "layer"));
            t.add(json("/api/runs", run(kind, "{\"layer\":\"one\",\"feature\":\"[:, :, 5]\"}"), 400, "layer"));
            t.add(json("/api/runs", run(kind, "{\"layer\":1,\"feature\":\"[:, :, 999999]\"}"), 400, "feature"));
            t.add(json("/api/runs", run(kind, "{\"layer\":1,\"feature\":\"banana\"}"), 400, "feature"));
            t.add(json("/api/runs", run(kind, "{\"layer\":1,\"feature\":\"" + "[".repeat(5000) + "\"}"), 400, "feature"));
            t.add(json("/api/runs", run(kind, "{\"layer\":1,\"feature\":[0,0,5]}"), 400, "feature"));
        }
        t.add(json("/api/runs", run("exhaustive", "{" + f + ",\"topk\":0}"), 400, "topk"));
        t.add(json("/api/runs", run("exhaustive", "{" + f + ",\"batch\":0}"), 400, "batch"));
        t.add(json("/api/runs", run("exhaustive", "{" + f + ",\"batch\":1e10}"), 400, "batch"));
        t.add(json("/api/runs", run("greedy", "{" + f + ",\"tokens\":0}"), 400, "tokens"));
        t.add(json("/api/runs", run("greedy", "{" + f + ",\"read\":\"max\"}"), 400, "read"));
        t.add(json("/api/runs", run("greedy", "{\"layer\":1,\"feature\":\"[0, 0, 5]\"}"), 400, "feature"));
        for (String kind : List.of("ascent", "softmax-prior")) {
            t.add(json("/api/runs", run(kind, "{" + f + ",\"tokens\":0}"), 400, "tokens"));
            t.add(json("/api/runs", run(kind, "{" + f + ",\"objective\":\"max\"}"), 400, "objective"));
            t.add(json("/api/runs", run(kind, "{" + f + ",\"optimizer\":\"rmsprop\"}"), 400, "optimizer"));
            t.add(json("/api/runs", run(kind, "{" + f + ",\"lr\":-0.1}"), 400, "lr"));
            t.add(json("/api/runs", run(kind, "{" + f + ",\"steps\":-3}"), 400, "steps"));
            t.add(json("/api/runs", run(kind, "{" + f + ",\"init_scale\":\"big\"}"), 400, "init_scale"));
        }

        // runs by id: unknown ids, path tricks, overlong and odd ids, bad Last-Event-ID
        for (String id : List.of("zzzz", "..%2F..%2Fetc", "%2e%2e", "a%20b", "%E2%98%83", "x".repeat(500), "1'%20OR%20'1'='1")) {
            String says = id.equals("%2e%2e") ? "no page or API call" : "no run"; // the URL is normalised to /api/
            t.add(get("/api/runs/" + id, 404, says));
            t.add(post("/api/runs/" + id + "/cancel", null, null, 404, says));
        }
        t.add(sse("/api/runs/zzzz/events", 404, "no run"));
        t.add(sse("/api/runs/zzzz/events", 400, "Last-Event-ID").header("Last-Event-ID", "abc"));
        t.add(sse("/api/runs/zzzz/events", 400, "Last-Event-ID").header("Last-Event-ID", "1e3"));
        t.add(sse("/api/runs/zzzz/events", 400, "Last-Event-ID").header("Last-Event-ID", "99999999999999999999999"));
        t.add(sse("/api/runs/zzzz/events", 400, "Last-Event-ID").header("Last-Event-ID", "1.5"));
        t.add(get("/api/runs?limit=abc", 400, "limit"));
        t.add(sse("/api/runs/..%2F..%2F..%2Fetc%2Fpasswd/events", 404, "no run"));

        // /api/alignments
        t.add(json("/api/alignments", "", 400, "JSON body"));
        t.add(json("/api/alignments", "{", 400, "not valid JSON"));
        t.add(json("/api/alignments", "[]", 400, "JSON object"));
        t.add(json("/api/alignments", "{}", 400, "kind"));
        t.add(json("/api/alignments", "{\"kind\":\"reconstruction\",\"models\":[\"gpt2-tiny\"],\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 400, "kind"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":\"gpt2-tiny\",\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 400, "models"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[],\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 400, "model"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"no-such-model\"],\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 404, "unknown model"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"layers\":[\"one\"],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 400, "layers"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"layers\":[99],\"features\":[\"[:, :, 5]\"],\"params\":{}}", 400, "layer"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"layers\":[1],\"features\":[],\"params\":{}}", 400, "feature"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":[]}", 400, "params"));
        t.add(json("/api/alignments", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"layers\":[1],\"features\":[\"[:, :, 5]\"],\"params\":{\"topk\":0}}", 400, "topk"));
        t.add(post("/api/alignments", "text/plain", "{}", 415, "application/json"));
        t.add(get("/api/alignments/zzzz", 404, "zzzz"));
        t.add(get("/api/alignments/..%2F..%2Fetc", 404, "no alignment"));
        t.add(post("/api/alignments/zzzz/cancel", null, null, 404, "zzzz"));
        t.add(get("/api/alignments?limit=%00", 400, "limit"));

        // unknown API paths and methods
        t.add(get("/api/nope", 404, "/api/nope"));
        t.add(get("/api/lens/nope", 404, "/api/lens/nope"));
        t.add(new Bad("DELETE", "/api/runs/zzzz", null, null, Map.of("Accept", "application/json"), 405, "DELETE"));

        // pages, as a browser asks for them: HTML error pages that say what to change
        t.add(page("/lens?model=gpt2-tiny&prompt=", 400, "prompt"));
        t.add(page("/lens?model=gpt2-tiny&prompt=hi&topk=500", 400, "topk"));
        t.add(page("/lens?model=gpt2-tiny&prompt=hi&topk=-1", 400, "topk"));
        t.add(page("/lens?model=gpt2-tiny&prompt=hi&metric=nonsense", 400, "metric"));
        t.add(page("/lens?model=no-such-model&prompt=hi", 404, "unknown model"));
        t.add(page("/lens?model=hf:..%2F..%2Fetc&prompt=hi", 400, "model"));
        t.add(page("/lens/table?model=gpt2-tiny&prompt=", 400, "prompt"));
        t.add(page("/lens/table?model=gpt2-tiny&prompt=hi&topk=abc", 400, "topk"));
        t.add(page("/lens/table?model=no-such-model&prompt=hi", 404, "unknown model"));
        t.add(sse("/lens/rows?model=gpt2-tiny&prompt=", 400, "prompt"));
        t.add(sse("/lens/rows?model=no-such-model&prompt=hi", 404, "unknown model"));
        t.add(sse("/lens/rows?model=gpt2-tiny&prompt=hi&topk=0", 400, "topk"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi&layer=abc&pos=0", 400, "layer"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi&layer=99&pos=0", 400, "layer"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi&layer=1&pos=-1", 400, "pos"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi&layer=1&pos=999", 400, "pos"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi", 400, "layer"));
        t.add(page("/compare?a=gpt2-tiny&b=no-such-model&prompt=hi", 404, "unknown model"));
        t.add(page("/compare?a=gpt2-tiny&b=llama-tiny&prompt=hi&topk=0", 400, "topk"));
        t.add(page("/compare?a=gpt2-tiny&b=llama-tiny&prompt=", 400, "prompt"));
        t.add(form("/runs", "kind=reconstruction&model=gpt2-tiny&prompt=", 400, "prompt"));
        t.add(form("/runs", "kind=reconstruction&model=gpt2-tiny&prompt=a&steps=abc", 400, "steps"));
        t.add(form("/runs", "kind=reconstruction&model=gpt2-tiny&prompt=a&lr=-1", 400, "lr"));
        t.add(form("/runs", "kind=nope&model=gpt2-tiny", 400, "unknown run kind"));
        t.add(form("/runs", "kind=reconstruction&model=no-such-model&prompt=a", 404, "unknown model"));
        t.add(form("/runs", "kind=exhaustive&model=gpt2-tiny&layer=99&feature=%5B%3A%2C%20%3A%2C%205%5D", 400, "layer"));
        t.add(form("/runs", "kind=greedy&model=gpt2-tiny&layer=1&feature=banana", 400, "feature"));
        t.add(form("/runs", "%%%invalid", 400, "URL encoding"));
        t.add(page("/runs/zzzz", 404, "no run"));
        t.add(page("/runs/..%2F..%2Fetc", 404, "no run"));
        t.add(page("/runs/" + "y".repeat(500), 404, "no run"));
        t.add(new Bad("POST", "/runs/zzzz/again", null, null, Map.of("Accept", HTML), 404, "no run"));
        t.add(new Bad("POST", "/runs/zzzz/cancel", null, null, Map.of("Accept", HTML), 404, "no run"));
        t.add(form("/alignments", "kind=exhaustive&models=gpt2-tiny&layers=one&features=%5B%3A%2C%20%3A%2C%205%5D", 400, "layers"));
        t.add(form("/alignments", "kind=exhaustive&models=no-such-model&layers=1&features=%5B%3A%2C%20%3A%2C%205%5D", 404, "unknown model"));
        t.add(form("/alignments", "kind=exhaustive&layers=1&features=%5B%3A%2C%20%3A%2C%205%5D", 400, "model"));
        t.add(form("/alignments", "kind=nope&models=gpt2-tiny&layers=1&features=x", 400, "kind"));
        t.add(page("/alignments/zzzz", 404, "zzzz"));
        // The run and table pages' own streams and fragments, with unknown ids and path tricks.
        t.add(sse("/runs/zzzz/live", 404, "no run 'zzzz'"));
        t.add(sse("/runs/..%2F..%2Fetc/live", 404, "no"));
        t.add(sse("/alignments/zzzz/cells", 404, "no alignment 'zzzz'"));
        t.add(get("/runs/zzzz/result", 404, "no run 'zzzz'"));
        t.add(new Bad("POST", "/runs/zzzz/twin", null, null, Map.of("Accept", HTML), 404, "zzzz"));
        t.add(page("/runs?state=bogus", 400, "state must be one of"));
        t.add(page("/runs?kind=bogus", 400, "unknown run kind"));
        t.add(get("/runs/list?state=" + "x".repeat(3000), 400, "state must be one of"));
        t.add(form("/runs", "kind=reconstruction&model=gpt2-tiny&prompt=" + "%20word".repeat(200), 400, "context of 128 tokens"));
        t.add(page("/alignments/%E2%98%83", 404, "no alignment"));
        t.add(new Bad("POST", "/alignments/zzzz/cancel", null, null, Map.of("Accept", HTML), 404, "zzzz"));
        t.add(page("/nope", 404, "/nope"));
        t.add(page("/lens/nope", 404, "no stored analysis"));
        t.add(page("/static/..%2F..%2Fapplication.properties", 404, "no page"));
        t.add(get("/nope", 404, "/nope"));
        t.add(form("/login", "token=wrong&next=https://evil.example/", 401, "token"));

        // This stop's endpoints and parameters: dtypes, decoders, the sentence, training and image kinds, exports,
        // studies, images, corpora and run files, each with a wrong value, a wrong type, a size or a path trick.
        t.add(get("/api/lens?model=gpt2-tiny&prompt=hi&dtype=int8", 400, "bfloat16"));
        t.add(get("/api/models/status?model=gpt2-tiny&dtype=half", 400, "bfloat16"));
        t.add(json("/api/runs", "{\"kind\":\"reconstruction\",\"model\":\"gpt2-tiny\",\"dtype\":\"fp8\",\"params\":{\"prompt\":\"hi\"}}", 400, "bfloat16"));
        t.add(get("/api/lens?model=gpt2-tiny&prompt=hi&decoder=bogus", 400, "decoder"));
        t.add(get("/api/lens?model=gpt2-tiny&prompt=hi&decoder=tuned:..%2F..%2Fetc", 404, "unknown tuned lens"));
        t.add(get("/api/lens?model=gpt2-tiny&prompt=hi&decoder=tuned:no-such-lens", 404, "no-such-lens"));
        t.add(json("/api/runs", run("reconstruction", "{\"prompt\":\"hi\",\"network\":\"cnn\"}"), 400, "network"));
        t.add(json("/api/runs", run("reconstruction", "{\"prompt\":\"hi\",\"precision\":\"float128\"}"), 400, "precision"));
        t.add(json("/api/runs", run("reconstruction", "{\"prompt\":\"hi\",\"yardstick_sigma\":\"wide\"}"), 400, "yardstick_sigma"));
        t.add(json("/api/runs", run("orthogonal-walk", "{\"prompt\":\"hi\",\"direction\":\"sideways\"}"), 400, "direction"));
        t.add(json("/api/runs", run("orthogonal-walk", "{\"prompt\":\"hi\",\"steps\":-1}"), 400, "steps"));
        t.add(json("/api/runs", run("clamped-walk", "{\"prompt\":\"hi\",\"noise_side\":\"middle\"}"), 400, "noise_side"));
        t.add(json("/api/runs", run("clamped-walk", "{\"prompt\":\"" + longText + "\"}"), 400, "prompt"));
        t.add(json("/api/runs", run("tuned-lens", "{\"optimizer\":\"rmsprop\"}"), 400, "optimizer"));
        t.add(json("/api/runs", run("tuned-lens", "{\"corpus\":\"../../etc/passwd\"}"), 400, "corpus"));
        t.add(json("/api/runs", run("probe", "{\"epochs\":-1}"), 400, "epochs"));
        t.add(json("/api/runs", run("probe", "{\"layers\":\"0-99\"}"), 400, "layers"));
        t.add(json("/api/runs", "{\"kind\":\"image-ascent\",\"model\":\"vit-tiny\",\"params\":{\"layer\":1,\"feature\":\"[:, :, 5]\",\"start\":\"image:..%2F..%2Fetc\"}}", 400, "start"));
        t.add(json("/api/runs", "{\"kind\":\"image-reconstruction\",\"model\":\"vit-tiny\",\"params\":{\"layer\":1}}", 400, "target"));
        t.add(get("/api/runs/zzzz/embedding", 404, "no run"));
        t.add(get("/api/runs/..%2F..%2Fetc/trajectory.csv", 404, "no run"));
        t.add(json("/api/studies", "{\"kind\":\"reconstruction\",\"models\":[\"gpt2-tiny\"],\"blocks\":[1],\"lm_head\":[true],\"seeds\":\"x\"}", 400, "seeds"));
        t.add(json("/api/studies", "{\"kind\":\"reconstruction\",\"models\":[\"gpt2-tiny\"],\"blocks\":[1,2,3,4,5,6,7,8,9,10],\"lm_head\":[true,false],\"seeds\":[0,1,2,3,4,5,6,7]}", 400, "cells"));
        t.add(json("/api/studies", "{\"kind\":\"exhaustive\",\"models\":[\"gpt2-tiny\"],\"blocks\":[1],\"lm_head\":[true],\"seeds\":[0]}", 400, "kind"));
        t.add(get("/api/studies/zzzz", 404, "no study"));
        t.add(page("/studies/..%2F..%2Fetc", 404, "no study"));
        t.add(post("/api/images", "image/png", "not a png", 415, "PNG"));
        t.add(get("/api/images/..%2F..%2Fetc", 404, "image"));
        t.add(get("/api/images/zzzz/activations?model=vit-tiny", 404, "image"));
        t.add(get("/api/images/builtin:gradient/activations?model=gpt2-tiny", 422, "image"));
        t.add(post("/api/corpora?name=..%2F..%2Fx", "text/plain", "", 400, "empty"));
        t.add(get("/api/files/..%2F..%2Fetc%2Fpasswd", 404, "file"));
        // issue 26 item 8: the corpora's own content types, broken multipart bodies, a hybrid of two text models
        t.add(json("/api/corpora?name=x", "{\"text\":\"a\"}", 415, "Content-Type text/plain"));
        String unclosed = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nonce upon a time";
        t.add(post("/api/corpora", "multipart/form-data; boundary=XyZ", unclosed, 400, "multipart"));
        t.add(post("/api/images", "multipart/form-data; boundary=XyZ", unclosed, 400, "multipart"));
        StringBuilder parts = new StringBuilder();
        for (int i = 0; i < 1001; i++) {
            parts.append("--XyZ\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        }
        t.add(post("/api/corpora", "multipart/form-data; boundary=XyZ", parts + "--XyZ--\r\n", 400, "parts"));
        t.add(json("/api/runs", "{\"kind\":\"image-ascent\",\"model\":\"stories260K+gpt2-tiny\",\"params\":{\"layer\":1,"
                + "\"feature\":\"[:, :, 5]\"}}", 400, "needs a ViT as its stem"));
        t.add(json("/api/runs", "{\"kind\":\"image-reconstruction\",\"model\":\"llama-tiny+gpt2-tiny\",\"params\":{\"layer\":1,"
                + "\"target\":\"builtin:gradient\"}}", 400, "the stem 'llama-tiny'"));

        // a tokenizer and a checkpoint that disagree (DisagreeingModels): 422 at load naming both sizes, 400 per
        // request naming the token, never the engine's index out of bounds
        String disagree = "largest token id is 50256 but the model's vocabulary (vocab_size) has 1000 ids";
        t.add(get("/api/lens?model=vocab-1000:untrained&prompt=Hello", 422, disagree));
        t.add(json("/api/runs", "{\"kind\":\"reconstruction\",\"model\":\"vocab-1000:untrained\",\"params\":{\"prompt\":\"Hello\"}}",
                422, disagree));
        String extra = "hi%20%3C%7Cextra%7C%3E";
        t.add(get("/api/lens?model=added-token&prompt=" + extra, 400, "prompt has the token '<|extra|>' (id 50257)"));
        t.add(get("/api/lens/csv?model=added-token&prompt=" + extra, 400, "the model does not: its vocabulary has 50257 ids"));
        t.add(json("/api/runs", "{\"kind\":\"reconstruction\",\"model\":\"added-token\",\"params\":{\"prompt\":\"hi <|extra|>\"}}",
                400, "params.prompt has the token '<|extra|>' (id 50257)"));
        return t.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void answersEveryBadRequestWithAClearErrorAndKeepsWorking(Bad bad) throws Exception {
        Fixtures.root();
        HttpResponse<String> response = send(bad);
        String body = response.body();
        assertEquals(bad.status(), response.statusCode(), () -> bad + " answered " + response.statusCode() + ": " + body);
        assertTrue(body.contains(bad.says()), () -> bad + ": the body does not say '" + bad.says() + "': " + body);
        for (String leak : LEAKS) {
            assertFalse(body.contains(leak), () -> bad + ": the body leaks '" + leak + "': " + body);
        }
        if (response.statusCode() >= 500) {
            assertTrue(body.contains("error id"), () -> bad + ": a 5xx without an error id: " + body);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (bad.page()) {
            assertTrue(type.startsWith(HTML), () -> bad + ": a page's error is not HTML: " + type);
        } else if (response.statusCode() >= 400) {
            assertTrue(type.startsWith("application/json"), () -> bad + ": an API error is not JSON: " + type + " " + body);
            JsonNode error = JSON.readTree(body);
            assertEquals(response.statusCode(), error.path("status").asInt(), () -> bad + ": " + body);
            assertTrue(error.path("error").isTextual(), () -> bad + ": no error text: " + body);
        }
        stillWorks();
    }

    private void stillWorks() throws IOException, InterruptedException {
        HttpResponse<String> models = send(get("/api/models", 200, ""));
        assertEquals(200, models.statusCode(), models::body);
        HttpResponse<String> lens = send(get("/api/lens?model=gpt2-tiny&prompt=health", 200, ""));
        assertEquals(200, lens.statusCode(), lens::body);
        assertTrue(JSON.readTree(lens.body()).path("layers").size() > 0, lens::body);
    }

    private HttpResponse<String> send(Bad bad) throws IOException, InterruptedException {
        String root = base.toString().replaceAll("/$", "");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + bad.path())).timeout(Duration.ofSeconds(60));
        bad.headers().forEach(request::header);
        if (bad.contentType() != null) {
            request.header("Content-Type", bad.contentType());
        }
        request.method(bad.method(), bad.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(bad.body()));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- issue 24 item 1: attention patterns (GET /api/attention, /api/attention.safetensors, the page /attention)

    static Stream<Arguments> badAttentionRequests() {
        String tooLong = "%20word".repeat(200); // gpt2-tiny's context is 128 tokens
        List<Bad> t = new ArrayList<>();
        for (String path : new String[] {"/api/attention", "/api/attention.safetensors"}) {
            t.add(get(path + "?model=no-such-model&prompt=hi", 404, "no-such-model"));
            t.add(get(path + "?prompt=hi", 400, "model is missing"));
            t.add(get(path + "?model=gpt2-tiny", 400, "prompt is empty"));
            t.add(get(path + "?model=gpt2-tiny&prompt=", 400, "prompt is empty"));
            t.add(get(path + "?model=gpt2-tiny&prompt=" + tooLong, 400, "has a context of 128 tokens"));
            t.add(get(path + "?model=gpt2-tiny&prompt=hi&dtype=float128", 400, "dtype 'float128'"));
            t.add(get(path + "?model=vit-tiny&prompt=hi", 422, "takes images"));
            t.add(get(path + "?model=vit-tiny%2Bgpt2-tiny&prompt=hi", 422, "takes images"));
            t.add(get(path + "?model=added-token&prompt=hi%20%3C%7Cextra%7C%3E", 400, "prompt has the token '<|extra|>'"));
        }
        t.add(page("/attention?model=no-such-model&prompt=hi", 404, "no-such-model"));
        t.add(page("/attention?model=gpt2-tiny&prompt=", 400, "prompt is empty"));
        t.add(page("/attention?model=gpt2-tiny&prompt=" + tooLong, 400, "has a context of 128 tokens"));
        t.add(page("/attention?model=gpt2-tiny&prompt=hi&dtype=float128", 400, "dtype"));
        t.add(page("/attention?model=vit-tiny&prompt=hi", 422, "takes images"));
        t.add(page("/attention?model=gpt2-tiny&prompt=hi&pos=7", 400, "pos must be a position between 0 and 0"));
        t.add(page("/attention?model=gpt2-tiny&prompt=hi&pos=-1", 400, "pos must be"));
        return t.stream().map(Arguments::of);
    }

    // issue 24 item 4: ablate and ablation on the lens API, its stream and exports, the lens and compare pages; every
    // refusal names the component (or mode) and the valid forms, before any work or stream starts

    static Stream<Arguments> badAblations() {
        List<Bad> t = new ArrayList<>();
        String forms = "blocks.{l}.hook_mlp_out, blocks.{l}.hook_attn_out or blocks.{l}.attn.hook_result.{h}";
        String many = "&ablate=blocks.0.hook_mlp_out".repeat(600); // a form's 600 ticked boxes (a URL that long is a 414)
        for (String lens : List.of("/api/lens", "/api/lens/stream", "/api/lens/csv", "/api/lens/json")) {
            String q = lens + "?model=gpt2-tiny&prompt=hi";
            t.add(get(q + "&ablate=blocks.4.hook_mlp_out", 400, "blocks.4.hook_mlp_out: block 4 is past the model's blocks 0..3"));
            t.add(get(q + "&ablate=blocks.0.attn.hook_result.4", 400, "head 4 is past the model's heads 0..3"));
            t.add(get(q + "&ablate=blocks.0.hook_resid_post", 400, "unknown component 'blocks.0.hook_resid_post': use " + forms));
            t.add(get(q + "&ablate=blocks.0.attn.hook_result", 400, forms));
            t.add(get(q + "&ablate=blocks.99999999999.hook_mlp_out", 400, "unknown component"));
            t.add(get(q + "&ablate=blocks.999999.hook_mlp_out", 400, "block 999999 is past"));
            t.add(get(q + "&ablate=blocks.0.hook_mlp_out,,blocks.1.hook_mlp_out", 400, "unknown component ''"));
            t.add(get(q + "&ablate=%00%E2%80%AE", 400, "unknown component"));
            t.add(get(q + "&ablate=" + "x".repeat(3000), 400, "unknown component"));
            t.add(get(q + "&ablate=blocks.0.hook_mlp_out&ablation=half", 400, "ablation must be zero or mean, got 'half'"));
            t.add(get(q + "&ablation=" + "m".repeat(300), 400, "ablation must be zero or mean"));
        }
        t.add(get("/api/lens?model=stories260K&prompt=hi&ablate=blocks.4.attn.hook_result.8", 400, "head 8 is past the model's heads 0..7"));
        t.add(get("/api/lens?model=stories260K&prompt=hi&ablate=blocks.5.hook_attn_out", 400, "block 5 is past the model's blocks 0..4"));
        t.add(sse("/api/lens/stream?model=gpt2-tiny&prompt=hi&ablate=blocks.4.hook_mlp_out", 400, "block 4 is past"));
        t.add(page("/lens?model=gpt2-tiny&prompt=hi&ablate=blocks.4.hook_mlp_out", 400, "block 4 is past"));
        t.add(page("/lens?model=gpt2-tiny&prompt=hi&ablate=%3Cscript%3E", 400, "unknown component"));
        t.add(page("/lens/table?model=gpt2-tiny&prompt=hi&ablate=nope", 400, "unknown component"));
        t.add(page("/lens/table?model=gpt2-tiny&prompt=hi&ablate=blocks.0.hook_mlp_out&ablation=max", 400, "ablation must be zero or mean"));
        t.add(page("/lens/cell?model=gpt2-tiny&prompt=hi&layer=1&pos=0&ablate=blocks.0.attn.hook_result.9", 400, "head 9 is past"));
        t.add(page("/compare?a=gpt2-tiny&b=gpt2-tiny&prompt=hi&ablate_b=blocks.0.attn.hook_result.4", 400, "head 4 is past"));
        t.add(page("/compare?a=gpt2-tiny&b=gpt2-tiny&prompt=hi&ablate_a=mlp&ablation_a=mean", 400, "unknown component"));
        t.add(form("/lens", "model=gpt2-tiny&prompt=hi&ablate=blocks.0.hook_mlp_out&ablate=blocks.7.hook_mlp_out", 400, "block 7 is past"));
        t.add(form("/lens", "model=gpt2-tiny&prompt=hi&ablate=blocks.0.hook_mlp_out&ablation=ZERO", 400, "ablation must be zero or mean"));
        t.add(form("/compare", "a=gpt2-tiny&b=gpt2-tiny&prompt=hi&ablate_b=blocks.0.mlp", 400, "unknown component"));
        t.add(form("/lens", "model=gpt2-tiny&prompt=hi" + many, 400, "more than 512 components"));
        return t.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAttentionRequests")
    void answersEveryBadAttentionRequestWithAClearErrorAndKeepsWorking(Bad bad) throws Exception {
        answersEveryBadRequestWithAClearErrorAndKeepsWorking(bad);
    }

    // Issue 24 item 2, direct logit attribution: every parameter of GET /api/attribution, its exports and its page.

    static Stream<Arguments> attributionBadRequests() {
        List<Bad> t = new ArrayList<>();
        String cell = "?model=gpt2-tiny&prompt=The%20cat%20sat"; // 3 tokens: positions 0..2
        for (String api : List.of("/api/attribution", "/api/attribution/csv", "/api/attribution/json")) {
            t.add(get(api + "?model=gpt2-tiny&pos=0&token=0", 400, "prompt is empty"));
            t.add(get(api + "?prompt=hi&pos=0&token=0", 400, "model"));
            t.add(get(api + "?model=no-such-model&prompt=hi&pos=0&token=0", 404, "unknown model"));
            t.add(get(api + cell + "&token=0", 400, "pos is missing"));
            t.add(get(api + cell + "&pos=3&token=0", 400, "pos must be a position between 0 and 2 (the prompt is 3 tokens long), got 3"));
            t.add(get(api + cell + "&pos=-1&token=0", 400, "pos must be a position between 0 and 2"));
            t.add(get(api + cell + "&pos=1.5&token=0", 400, "pos must be a whole number"));
            t.add(get(api + cell + "&pos=99999999999999999999&token=0", 400, "pos must be a whole number"));
        }
        t.add(get("/api/attribution" + cell + "&pos=1", 400, "token is missing"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=%20the%20cat", 400,
                "token ' the cat' is 2 tokens, not one: ' the' (262), ' cat' (3797)"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=" + "x%20".repeat(500), 400, "tokens, not one"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=50257", 400,
                "token 50257 is not a token id of this model: its vocabulary has 50257 ids, 0..50256"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=99999999999999999999999", 400, "is not a token id of this model"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&against=%20the%20cat", 400, "against ' the cat' is 2 tokens"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&against=123456", 400, "against 123456 is not a token id"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&layer=5", 400,
                "layer must be between 0 (the embeddings) and 4 (the output), got 5"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&layer=-1", 400, "layer must be between 0 (the embeddings) and 4"));
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&layer=last", 400, "layer must be a whole number"));
        for (String topk : List.of("0", "-3", "101", "1000000000", "99999999999999999999", "many")) {
            t.add(get("/api/attribution" + cell + "&pos=1&token=0&topk=" + topk, 400, "topk"));
        }
        t.add(get("/api/attribution" + cell + "&pos=1&token=0&dtype=float8", 400, "dtype 'float8' is not one of"));
        t.add(get("/api/attribution?model=vit-tiny%2Bgpt2-tiny&prompt=hi&pos=0&token=0", 422, "takes images (pixel_values), not text"));
        t.add(get("/api/attribution?model=gpt2-tiny&pos=0&token=0&prompt=" + "hello%20".repeat(300), 400, "context"));
        t.add(get("/api/attribution?model=added-token&prompt=hi&pos=0&token=%3C%7Cextra%7C%3E", 400,
                "token has the token '<|extra|>' (id 50257), which the tokenizer knows but the model does not"));
        t.add(page("/attribution" + cell + "&pos=7&token=%20cat", 400, "pos must be a position between 0 and 2"));
        t.add(page("/attribution" + cell + "&pos=1&token=%20the%20cat", 400, "is 2 tokens, not one"));
        t.add(page("/attribution?model=no-such-model&prompt=hi&pos=0&token=0", 404, "unknown model"));
        t.add(page("/attribution", 400, "prompt is empty"));
        return t.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attributionBadRequests")
    void answersEveryBadAttributionRequestWithAClearError(Bad bad) throws Exception {
        answersEveryBadRequestWithAClearErrorAndKeepsWorking(bad);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAblations")
    void refusesBadAblationsClearlyAndKeepsWorking(Bad bad) throws Exception {
        answersEveryBadRequestWithAClearErrorAndKeepsWorking(bad);
    }

    // ---- issue 24 item 3: activation patching (run kind "patching"): every parameter's bad values are a 400 naming it

    private static String patching(String params) {
        return run("patching", "{\"clean\":\"The cat was happy. The cat\",\"corrupted\":\"The dog was happy. The dog\","
                + "\"answer\":\" was\",\"wrong\":\" is\"" + params + "}");
    }

    static Stream<Arguments> patchingBadRequests() {
        List<Bad> t = new ArrayList<>();
        t.add(json("/api/runs", run("patching", "{\"clean\":\"The cat was happy. The cat\",\"corrupted\":\"A dog\",\"answer\":\" was\","
                + "\"wrong\":\" is\"}"), 400, "params.clean is 7 tokens and params.corrupted is 2 tokens"));
        t.add(json("/api/runs", run("patching", "{\"clean\":\"\",\"corrupted\":\"x\",\"answer\":\" was\",\"wrong\":\" is\"}"), 400, "params.clean is empty"));
        t.add(json("/api/runs", run("patching", "{\"clean\":\"" + "a".repeat(2001) + "\",\"corrupted\":\"x\",\"answer\":\" was\",\"wrong\":\" is\"}"),
                400, "params.clean is 2001 characters long"));
        t.add(json("/api/runs", run("patching", "{\"clean\":\"The cat\",\"corrupted\":\"The dog\",\"wrong\":\" is\"}"), 400, "answer"));
        t.add(json("/api/runs", patching("").replace("\" was\"", "\" cat sat\""), 400, "params.answer ' cat sat' is 2 tokens, not one: ' cat' (3797), ' sat' (3332)"));
        t.add(json("/api/runs", patching("").replace("\" is\"", "\"99999999\""), 400, "params.wrong 99999999 is not a token id"));
        t.add(json("/api/runs", patching("").replace("\" is\"", "318"), 400, "params.wrong must be a string"));
        t.add(json("/api/runs", patching("").replace("\" is\"", "\"373\""), 400, "params.answer and params.wrong are the same token"));
        t.add(json("/api/runs", patching(",\"site\":\"everything\""), 400, "params.site must be one of"));
        t.add(json("/api/runs", patching(",\"layers\":\"0-99\""), 400, "params.layers: '0-99' is outside the model's blocks 0..3"));
        t.add(json("/api/runs", patching(",\"layers\":\"-1\""), 400, "params.layers: '-1' is not a block number"));
        t.add(json("/api/runs", patching(",\"layers\":\"3-1,x\""), 400, "params.layers"));
        t.add(json("/api/runs", patching("").replace("gpt2-tiny", "vit-tiny"), 400, "takes text"));
        t.add(json("/api/runs", patching("").replace("gpt2-tiny", "vit-tiny+gpt2-tiny"), 400, "takes text"));
        // stories260K: " was" is a vocabulary entry's own text (286), as the lens shows it; " was happy" is not one token
        t.add(json("/api/runs", patching("").replace("gpt2-tiny", "stories260K").replace("\" was\"", "\" was happy\""), 400,
                "params.answer ' was happy' is"));
        t.add(page("/runs/..%2F..%2Fetc", 404, "no run"));
        return t.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patchingBadRequests")
    void refusesBadPatchingParametersNamingThem(Bad bad) throws Exception {
        answersEveryBadRequestWithAClearErrorAndKeepsWorking(bad);
    }
}
