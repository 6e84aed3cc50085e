package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The image run kinds through POST /api/runs on vit-tiny and vit-tiny+gpt2-tiny: the contract's fields, the files
 * their URLs name, the first value and loss and the first step's gradient against {@code vit-tiny/golden.json}
 * (tolerances of its README: 1e-4 relative for values, 1e-3 for gradients), the live page, and bad parameters.
 */
@QuarkusTest
class ImageRunsApiTest {

    private static JsonNode golden() {
        return Fixtures.json(Fixtures.dir("vit-tiny").resolve("golden.json"));
    }

    private static byte[] samplePng() throws Exception {
        return Files.readAllBytes(Fixtures.dir("vit-tiny").resolve("sample.png"));
    }

    private static String upload(byte[] png) {
        return given().contentType("image/png").body(png).post("/api/images").then().statusCode(201).extract().path("id");
    }

    /** The sample flipped left-right, as a PNG: the golden reconstruction's target. */
    private static byte[] flippedPng() throws Exception {
        BufferedImage in = ImageIO.read(new ByteArrayInputStream(samplePng()));
        BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < in.getHeight(); y++) {
            for (int x = 0; x < in.getWidth(); x++) {
                out.setRGB(in.getWidth() - 1 - x, y, in.getRGB(x, y));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        return bytes.toByteArray();
    }

    /** The fixture's preprocessing, (u8 / 255 − 0.5) / 0.5, of sample.png: pixel_values [3 * 32 * 32]. */
    private static float[] samplePixels() throws Exception {
        BufferedImage in = ImageIO.read(new ByteArrayInputStream(samplePng()));
        float[] x = new float[3 * 32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int i = 0; i < 32; i++) {
                int rgb = in.getRGB(i, y);
                for (int c = 0; c < 3; c++) {
                    int u8 = (rgb >> (16 - 8 * c)) & 0xff;
                    x[(c * 32 + y) * 32 + i] = ((float) u8 / 255f - 0.5f) / 0.5f;
                }
            }
        }
        return x;
    }

    private static float[] tensor(String url) throws Exception {
        byte[] file = given().get(url).then().statusCode(200).header("Content-Disposition", containsString(".safetensors"))
                .extract().asByteArray();
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) buf.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(file, 8, n, StandardCharsets.UTF_8));
        assertEquals("[1,3,32,32]", header.path("pixel_values").path("shape").toString());
        assertEquals("F32", header.path("pixel_values").path("dtype").asText());
        float[] x = new float[3 * 32 * 32];
        buf.position(8 + n);
        buf.asFloatBuffer().get(x);
        return x;
    }

    private static void assertPng(String url) throws Exception {
        byte[] png = given().get(url).then().statusCode(200).contentType("image/png").extract().asByteArray();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(32, image.getWidth());
        assertEquals(32, image.getHeight());
    }

    /** The gradient of the first step of plain gd with lr 1, read off x_1 − x_0, against the golden's first 8 and L2. */
    private static void assertGradient(JsonNode want, float[] x0, float[] x1, double sign, String what) {
        double l2 = 0;
        double scale = 0;
        for (int i = 0; i < 8; i++) {
            scale = Math.max(scale, Math.abs(want.path("grad_first8").get(i).asDouble()));
        }
        for (int i = 0; i < x0.length; i++) {
            double g = sign * (x1[i] - x0[i]);
            l2 += g * g;
            if (i < 8) {
                assertEquals(want.path("grad_first8").get(i).asDouble(), g, 1e-3 * scale, what + " grad_first8[" + i + "]");
            }
        }
        double wantL2 = want.path("grad_l2").asDouble();
        assertEquals(wantL2, Math.sqrt(l2), 1e-3 * wantL2, what + " grad_l2");
    }

    @Test
    void imageAscentResultCarriesValuesImageAndTensorAndItsFirstStepIsTheReferences() throws Exception {
        JsonNode want = golden().path("vit").path("feature_neuron");
        String sample = upload(samplePng());
        String id = RunsApi.start("image-ascent", "vit-tiny", Map.of("layer", want.path("block").asInt(),
                "feature", want.path("feature").asText(), "optimizer", "gd", "lr", 1, "steps", 1, "start", "image:" + sample));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        List<Float> values = run.getList("result.values", Float.class);
        assertEquals(2, values.size(), "values[0] before the update, values[1] after it");
        double v0 = want.path("value").asDouble();
        assertEquals(v0, values.get(0), 1e-4 * (Math.abs(v0) + 1e-6), "f(x_0) of the sample");
        assertTrue(values.get(1) > values.get(0), "one step up the gradient raises f: " + values);
        assertPng(run.getString("result.image"));
        assertGradient(want, samplePixels(), tensor(run.getString("result.tensor")), 1, "vit ascent");

        String events = given().get("/api/runs/" + id + "/events").then().statusCode(200).extract().asString();
        assertTrue(events.contains("\"step\":0") && events.contains("\"step\":1") && events.contains("\"value\""), events);
        assertTrue(events.contains("data:image/png;base64,"), "the steps carry PNG snapshots");
        given().get("/runs/" + id).then().statusCode(200).body(containsString("blocks.0.hook_resid_post"))
                .body(containsString(run.getString("result.tensor")));
    }

    @Test
    void imageReconstructionResultCarriesLossesImageAndTensorAndItsObjectiveIsTheReferences() throws Exception {
        JsonNode want = golden().path("hybrid").path("reconstruction");
        String sample = upload(samplePng());
        String flipped = upload(flippedPng());
        String id = RunsApi.start("image-reconstruction", "vit-tiny+gpt2-tiny", Map.of("layer", want.path("block").asInt(),
                "target", "image:" + flipped, "start", "image:" + sample, "loss", "l1", "optimizer", "gd", "lr", 1, "steps", 1));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        List<Float> losses = run.getList("result.losses", Float.class);
        assertEquals(2, losses.size());
        double l1 = want.path("l1_mean").asDouble();
        assertEquals(l1, losses.get(0), 1e-4 * l1, "the L1 objective of the sample against its mirror image");
        assertPng(run.getString("result.image"));
        assertGradient(want, samplePixels(), tensor(run.getString("result.tensor")), -1, "hybrid reconstruction");
        given().get("/runs/" + id).then().statusCode(200).body(containsString("/api/images/" + flipped));
    }

    @Test
    void regularisedAscentFromNoiseWithAdamKeepsClampedPixelsInRange() throws Exception {
        String id = RunsApi.start("image-ascent", "vit-tiny+gpt2-tiny", Map.of("layer", 2, "feature", "[:, 6, :]",
                "steps", 4, "blur_sigma", 0.8, "jitter", 3, "clamp", true, "seed", 7, "snapshot_every", 2));
        JsonPath run = RunsApi.finished(id);
        assertEquals("done", run.getString("state"), run.prettify());
        assertEquals(5, run.getList("result.values").size());
        assertEquals("adam", run.getString("params.optimizer"));
        assertEquals("noise", run.getString("params.start"));
        for (float x : tensor(run.getString("result.tensor"))) {
            assertTrue(x >= -1f && x <= 1f, "clamped to the processor's range [-1, 1]: " + x);
        }
    }

    @Test
    void refusesBadImageRunParametersWithA400ThatNamesThem() {
        Map<String, Object> ok = Map.of("layer", 1, "feature", "[:, :, 5]", "steps", 2);
        Map<String, String> bad = Map.of(
                "start", "'noise' or 'image:ID'",
                "feature", "not understood",
                "blur_sigma", "blur_sigma",
                "jitter", "jitter",
                "snapshot_every", "snapshot_every",
                "layer", "layer");
        Map<String, Object> values = Map.of("start", "pictures", "feature", "[:, :, x]", "blur_sigma", -1, "jitter", 32,
                "snapshot_every", 3, "layer", 3);
        for (String name : bad.keySet()) {
            Map<String, Object> p = new HashMap<>(ok);
            p.put(name, values.get(name));
            given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", "vit-tiny", "params", p))
                    .post("/api/runs").then().statusCode(400).body("error", containsString(bad.get(name)));
        }
        given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", "vit-tiny",
                "params", Map.of("feature", "[:, 17, :]"))).post("/api/runs").then().statusCode(400).body("error", containsString("position 17"));
        given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", "vit-tiny",
                "params", Map.of("feature", "[:, :, 5]", "start", "image:0123456789abcdef"))).post("/api/runs").then().statusCode(400)
                .body("error", containsString("no image"));
        given().contentType("application/json").body(Map.of("kind", "image-reconstruction", "model", "vit-tiny",
                "params", Map.of("layer", 1))).post("/api/runs").then().statusCode(400).body("error", containsString("target"));
        given().contentType("application/json").body(Map.of("kind", "image-reconstruction", "model", "vit-tiny",
                "params", Map.of("target", "noise"))).post("/api/runs").then().statusCode(400).body("error", containsString("'image:ID'"));
        given().contentType("application/json").body(Map.of("kind", "image-reconstruction", "model", "vit-tiny",
                "params", Map.of("target", "image:builtin:shapes", "loss", "l3"))).post("/api/runs").then().statusCode(400).body("error", containsString("loss"));
        given().contentType("application/json").body(Map.of("kind", "image-ascent", "model", "gpt2-tiny",
                "params", ok)).post("/api/runs").then().statusCode(400).body("error", containsString("takes images"));
        given().get("/api/files/../../etc/passwd.png").then().statusCode(404);
        given().get("/api/files/0123456789abcdef0123456789abcdef.png").then().statusCode(404).body("error", containsString("no file"));
    }
}
