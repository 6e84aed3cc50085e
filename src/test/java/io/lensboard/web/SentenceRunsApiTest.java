package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.analysis.Network;
import io.lensboard.analysis.NetworkSpec;
import io.lensboard.analysis.Precision;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sentence-representation kinds through the API on gpt2-tiny: the walks' reported distances recomputed from the
 * exported safetensors through the same O_l built here from its parameters, the trajectory CSV, the reconstruction's
 * new options and fields, and the exports' 404s.
 */
@QuarkusTest
class SentenceRunsApiTest {

    private static final String PROMPT = "The sky is blue.";

    private static String start(String kind, Map<String, Object> params) {
        return RunsApi.start(kind, "gpt2-tiny", params);
    }

    /** A result's number as a double (JsonPath reads JSON numbers as floats). */
    static double number(String id, String field) throws IOException {
        return new ObjectMapper().readTree(given().get("/api/runs/" + id).asString()).path("result").path(field).asDouble();
    }

    /** A safetensors file's tensors as doubles, with its header. */
    record Tensors(JsonNode header, Map<String, double[]> values) {}

    static Tensors read(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong();
        JsonNode header = new ObjectMapper().readTree(new String(file, 8, n, StandardCharsets.UTF_8));
        Map<String, double[]> values = new HashMap<>();
        header.fields().forEachRemaining(f -> {
            boolean f64 = f.getValue().path("dtype").asText().equals("F64");
            long from = f.getValue().path("data_offsets").get(0).asLong();
            long to = f.getValue().path("data_offsets").get(1).asLong();
            ByteBuffer data = ByteBuffer.wrap(file, (int) (8 + n + from), (int) (to - from)).order(ByteOrder.LITTLE_ENDIAN);
            double[] v = new double[(int) (to - from) / (f64 ? 8 : 4)];
            for (int i = 0; i < v.length; i++) {
                v[i] = f64 ? data.getDouble() : data.getFloat();
            }
            values.put(f.getKey(), v);
        });
        return new Tensors(header, values);
    }

    /** [d_i, d_o] between e and e_final, O_l built here from the network's parameters (block 1, no head, float64). */
    static double[] distances(Tensors t, NetworkSpec spec) {
        double[] e = t.values().get("e");
        double[] eN = t.values().get("e_final");
        double dI = 0;
        for (int i = 0; i < e.length; i++) {
            dI += Math.abs(e[i] - eN[i]);
        }
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu()); NDManager scope = m.newScope()) {
            Shape shape = new Shape(1, e.length / 64, 64);
            var net = spec.build(m, (int) shape.get(1), scope);
            NDArray out = net.output(scope.create(e, shape)).sub(net.output(scope.create(eN, shape)));
            return new double[] {dI, out.abs().sum().getDouble()};
        }
    }

    private static final NetworkSpec BLOCK_ONE_64 = new NetworkSpec(Network.TRANSFORMER, 1, false, false, 0, Precision.FLOAT64);

    @Test
    void orthogonalWalkReportsWhatItsExportedEmbeddingsGive() throws Exception {
        Fixtures.root();
        String id = start("orthogonal-walk", Map.of("prompt", PROMPT, "lm_head", false, "precision", "float64", "steps", 4,
                "eta", 0.1, "direction", "matrix", "decode_every", 2, "topk", 3));
        JsonPath run = RunsApi.done(id);
        assertTrue(run.getDouble("result.orthogonality") < 1e-12, "orthogonality " + run.getDouble("result.orthogonality"));
        assertEquals(5, run.getList("result.ids").size());
        assertEquals(3, run.getList("result.topk[0]").size());
        assertTrue(run.getDouble("result.repetition") >= 0 && run.getDouble("result.repetition") <= 0.8);
        byte[] file = given().get("/api/runs/" + id + "/embedding").then().statusCode(200).extract().asByteArray();
        Tensors t = read(file);
        assertEquals("F64", t.header().path("e_final").path("dtype").asText());
        assertEquals(List.of(5, 64), List.of(t.header().path("e").path("shape").get(0).asInt(), t.header().path("e").path("shape").get(1).asInt()));
        assertArrayEquals(t.values().get("e"), t.values().get("e_0"), "the walk starts at the prompt's embedding");
        double[] again = distances(t, BLOCK_ONE_64);
        assertEquals(again[0], number(id, "d_i"), 1e-9 * again[0]);
        assertEquals(again[1], number(id, "d_o"), 1e-9 * again[1]);
        assertEquals(again[1] / again[0], number(id, "ratio"), 1e-9 * again[1] / again[0]);

        String csv = given().get("/api/runs/" + id + "/trajectory.csv").then().statusCode(200).contentType(containsString("text/csv"))
                .extract().asString();
        List<String> lines = csv.lines().toList();
        assertEquals(5, lines.size(), "a header and one line per step: " + csv);
        assertTrue(lines.get(0).startsWith("step,orthogonality,d_i,d_o,ratio"), lines.get(0));
        assertEquals(number(id, "d_i"), Double.parseDouble(lines.get(4).split(",")[2]), 0.0, "the last step's d_i");
    }

    @Test
    void clampedWalkRatioMatchesItsExportedEmbeddings() throws Exception {
        Fixtures.root();
        String id = start("clamped-walk", Map.of("prompt", PROMPT, "lm_head", false, "precision", "float64", "steps", 3,
                "inner_steps", 2, "noise_side", "tail", "seed", 5));
        JsonPath run = RunsApi.done(id);
        Tensors t = read(given().get("/api/runs/" + id + "/embedding").then().statusCode(200).extract().asByteArray());
        double[] again = distances(t, BLOCK_ONE_64);
        assertEquals(again[0] / again[1], number(id, "r"), 1e-9 * again[0] / again[1]);
        assertEquals(5L, run.getLong("params.network_seed"), "a toy's seed defaults to the run's");
    }

    @Test
    void reconstructionTakesANetworkAndPrecisionAndReportsTheCriterion() throws Exception {
        Fixtures.root();
        String id = start("reconstruction", Map.of("prompt", PROMPT, "network", "fcnet", "network_seed", 3, "precision", "float64",
                "steps", 30, "yardstick_sigma", 0.04));
        JsonPath run = RunsApi.done(id);
        assertEquals("fcnet", run.getString("params.network"));
        assertTrue(run.getMap("result").containsKey("steps_to_criterion"), run.prettify());
        Object criterion = run.get("result.steps_to_criterion");
        assertTrue(criterion == null || ((Integer) criterion) % 10 == 0, "a checked step: " + criterion);
        assertEquals(5, run.getList("result.repetition_topk").size());
        Tensors t = read(given().get("/api/runs/" + id + "/embedding").then().statusCode(200).extract().asByteArray());
        assertEquals("F64", t.header().path("e_0").path("dtype").asText());
        assertTrue(t.values().get("e_0")[0] != t.values().get("e")[0], "e_0 is the random start, not e");
    }

    @Test
    void exportsOfUnknownRunsOrRunsWithoutEmbeddingsAre404s() throws Exception {
        given().get("/api/runs/nope/embedding").then().statusCode(404).contentType("application/json")
                .body("error", containsString("no run 'nope'"));
        given().get("/api/runs/nope/trajectory.csv").then().statusCode(404).body("error", containsString("no run 'nope'"));
        Fixtures.root();
        String id = start("exhaustive", Map.of("layer", 1, "feature", "[:, :, 3]", "topk", 2));
        RunsApi.done(id);
        given().get("/api/runs/" + id + "/embedding").then().statusCode(404).contentType("application/json")
                .body("error", containsString("has no embedding"));
    }

    @Test
    void refusesUnknownNetworksAndPromptsTooLongForTheDirection() {
        Fixtures.root();
        given().contentType("application/json").body(Map.of("kind", "orthogonal-walk", "model", "gpt2-tiny",
                        "params", Map.of("prompt", PROMPT, "network", "cnn")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("network"));
        given().contentType("application/json").body(Map.of("kind", "orthogonal-walk", "model", "gpt2-tiny",
                        "params", Map.of("prompt", "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h", "direction", "matrix")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("needs a width of at least"));
    }
}
