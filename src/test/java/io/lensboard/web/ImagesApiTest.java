package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** POST /api/images, GET /api/images/{id}, its activations and their safetensors, and every kind of bad input. */
@QuarkusTest
class ImagesApiTest {

    private static byte[] sample() throws Exception {
        return Files.readAllBytes(Fixtures.dir("vit-tiny").resolve("sample.png"));
    }

    @Test
    void storesAnUploadedImageUnderAHashOfItsBytesAndReturnsItAsSent() throws Exception {
        byte[] png = sample();
        String id = given().contentType("image/png").body(png).post("/api/images").then().statusCode(201)
                .body("width", equalTo(32)).body("height", equalTo(32)).extract().path("id");
        String again = given().multiPart("file", "sample.png", png, "image/png").post("/api/images").then().statusCode(201)
                .extract().path("id");
        assertEquals(id, again, "the same bytes, the same image, whichever way they came");
        byte[] back = given().get("/api/images/" + id).then().statusCode(200).contentType("image/png").extract().asByteArray();
        assertArrayEquals(png, back);
    }

    @Test
    void servesBuiltInImagesMadeByTheProject() throws Exception {
        for (String id : List.of("builtin:gradient", "builtin:shapes", "builtin:noise", "builtin:checkerboard")) {
            byte[] png = given().get("/api/images/" + id).then().statusCode(200).contentType("image/png").extract().asByteArray();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(224, image.getWidth(), id);
        }
    }

    @Test
    void activationsOfTheSampleAreTheReferencesNormsInTheViTAndTheHybrid() throws Exception {
        String id = given().contentType("image/png").body(sample()).post("/api/images").then().statusCode(201).extract().path("id");
        JsonNode golden = Fixtures.json(Fixtures.dir("vit-tiny").resolve("golden.json"));
        for (String model : List.of("vit-tiny", "vit-tiny+gpt2-tiny")) {
            JsonNode want = golden.path(model.contains("+") ? "hybrid" : "vit").path("hidden_states");
            Response r = given().queryParam("model", model).get("/api/images/" + id + "/activations");
            r.then().statusCode(200).body("tokens", equalTo(17)).body("grid", equalTo(4))
                    .body("layers", hasSize(want.size()))
                    .body("layers[0].hook", equalTo("blocks.0.hook_resid_pre"))
                    .body("layers[1].hook", equalTo("blocks.0.hook_resid_post"));
            JsonNode got = new ObjectMapper().readTree(r.asString());
            for (int l = 0; l < want.size(); l++) {
                JsonNode norms = got.path("layers").get(l).path("norms");
                JsonNode l2 = want.get(l).path("token_l2");
                double scale = 0;
                for (JsonNode v : l2) {
                    scale = Math.max(scale, v.asDouble());
                }
                for (int t = 0; t < 17; t++) {
                    assertEquals(l2.get(t).asDouble(), norms.get(t).asDouble(), 1e-4 * scale, model + " layer " + l + " token " + t);
                }
            }
        }
    }

    @Test
    void activationsDownloadAsSafetensorsWithPixelValuesAndHiddenStates() throws Exception {
        byte[] file = given().queryParam("model", "vit-tiny+gpt2-tiny").get("/api/images/builtin:shapes/activations.safetensors")
                .then().statusCode(200).header("Content-Disposition", containsString(".safetensors")).extract().asByteArray();
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) buf.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(file, 8, n, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("[1,3,32,32]", header.path("pixel_values").path("shape").toString());
        assertEquals("[5,17,64]", header.path("hidden_states").path("shape").toString());
        assertEquals("F32", header.path("hidden_states").path("dtype").asText());
        assertEquals(8 + n + 4L * (3 * 32 * 32 + 5 * 17 * 64), file.length);
    }

    @Test
    void refusesWhatIsNotAnImage() {
        given().contentType("image/png").body("hello".getBytes()).post("/api/images").then().statusCode(415)
                .body("error", containsString("neither a PNG nor a JPEG"));
        given().multiPart("file", "notes.txt", "plain text".getBytes(), "text/plain").post("/api/images").then().statusCode(415);
        given().multiPart("other", "x.png", new byte[] {1}, "image/png").post("/api/images").then().statusCode(400)
                .body("error", containsString("multipart field 'file'"));
        given().contentType("application/json").body("{}").post("/api/images").then().statusCode(415)
                .body("error", containsString("PNG or JPEG"));
    }

    @Test
    void refusesADamagedImageAndADecompressionBombBeforeDecodingIt() throws Exception {
        byte[] png = sample();
        given().contentType("image/png").body(java.util.Arrays.copyOf(png, 60)).post("/api/images").then().statusCode(422)
                .body("error", containsString("cannot be decoded"));
        given().contentType("image/png").body(withSize(png, 100_000, 100_000)).post("/api/images").then().statusCode(413)
                .body("error", containsString("100000x100000"));
        given().contentType("image/png").body(withSize(png, 4000, 4000)).post("/api/images").then().statusCode(413)
                .body("error", containsString("16000000 pixels"));
    }

    @Test
    void refusesAFileOverTheImageSizeLimitBeforeReadingIt() throws Exception {
        byte[] big = java.util.Arrays.copyOf(sample(), 1536 * 1024); // a PNG's start, then zeros: over the tests' 1M limit
        given().contentType("image/png").body(big).post("/api/images").then().statusCode(413)
                .body("error", containsString("at most 1048576"));
        given().multiPart("file", "big.png", big, "image/png").post("/api/images").then().statusCode(413)
                .body("error", containsString("at most 1048576"));
    }

    @Test
    void answersNotFoundForAnUnknownImageAndPathTricks() {
        given().get("/api/images/0123456789abcdef").then().statusCode(404).body("error", containsString("builtin:gradient"));
        given().get("/api/images/builtin:nothing").then().statusCode(404);
        given().urlEncodingEnabled(false).get("/api/images/..%2F..%2Fetc%2Fpasswd").then().statusCode(404);
        given().queryParam("model", "vit-tiny").get("/api/images/ffffffffffffffff/activations").then().statusCode(404);
    }

    @Test
    void refusesATextModelForImagesAndAnImageModelForText() {
        given().queryParam("model", "gpt2-tiny").get("/api/images/builtin:gradient/activations").then().statusCode(422)
                .body("error", containsString("reads text, not images"));
        given().queryParam("model", "no-such-model").get("/api/images/builtin:gradient/activations").then().statusCode(404);
        given().get("/api/images/builtin:gradient/activations").then().statusCode(400).body("error", containsString("no model given"));
        given().queryParam("model", "vit-tiny+gpt2-small-config:untrained").get("/api/images/builtin:gradient/activations")
                .then().statusCode(422).body("error", containsString("768 wide"));
        given().queryParam("model", "vit-tiny").queryParam("prompt", "hi").get("/api/lens").then().statusCode(422)
                .body("error", containsString("takes images"));
    }

    @Test
    void refusesATextRunKindOnAnImageModelAtSubmission() {
        for (String model : List.of("vit-tiny", "vit-tiny+gpt2-tiny")) {
            given().contentType("application/json")
                    .body(java.util.Map.of("kind", "greedy", "model", model, "params", java.util.Map.of("layer", 1, "feature", "[:, :, 5]")))
                    .post("/api/runs").then().statusCode(400)
                    .body("error", containsString("kind 'greedy' takes text but model '" + model + "' reads images"));
        }
        given().contentType("application/json")
                .body(java.util.Map.of("kind", "reconstruction", "model", "vit-tiny", "params", java.util.Map.of("prompt", "hi")))
                .post("/api/runs").then().statusCode(400).body("error", containsString("takes text"));
    }

    /** The PNG with its header's width and height replaced (and the header's CRC made right), pixels unchanged. */
    private static byte[] withSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out); // IHDR: length at 8, type at 12, width at 16, height at 20, CRC at 29
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return out;
    }
}
