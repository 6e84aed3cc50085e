package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The image pages: linked from home, built-in images, upload by form, and one heat map per layer of the patch grid. */
@QuarkusTest
class ImagesPageTest {

    @Test
    void homeLinksToTheImagesPageWhichOffersBuiltInImagesAndAnUpload() {
        given().accept("text/html").get("/").then().statusCode(200).body(containsString("href=\"/images\""));
        given().accept("text/html").get("/images").then().statusCode(200)
                .body(containsString("href=\"/images/builtin:gradient\""))
                .body(containsString("enctype=\"multipart/form-data\""));
    }

    @Test
    void drawsOnePatchGridPerLayerWithEveryPatchsNorm() {
        String html = given().accept("text/html").queryParam("model", "vit-tiny").get("/images/builtin:shapes")
                .then().statusCode(200).extract().asString();
        for (String hook : new String[] {"blocks.0.hook_resid_pre", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post"}) {
            assertEquals(true, html.contains(hook), hook);
        }
        assertEquals(3, count(html, "class=\"patch-grid\""), "layers 0..2");
        assertEquals(3 * 16, count(html, "title=\"token "), "16 patches per layer");
        assertEquals(true, html.contains("activations.safetensors?model=vit-tiny"));
        String hybrid = given().accept("text/html").queryParam("model", "vit-tiny+gpt2-tiny").get("/images/builtin:noise")
                .then().statusCode(200).extract().asString();
        assertEquals(5, count(hybrid, "class=\"patch-grid\""), "the embeddings and gpt2-tiny's 4 blocks");
    }

    @Test
    void saysWhyATextModelCannotTakeTheImage() {
        given().accept("text/html").queryParam("model", "gpt2-tiny").get("/images/builtin:shapes").then().statusCode(422)
                .body(containsString("reads text, not images"))
                .body(containsString("<img class=\"subject\""));
        given().accept("text/html").get("/images/0000000000000000").then().statusCode(404)
                .body(containsString("no image &#39;0000000000000000&#39;"));
    }

    @Test
    void anUploadByFormGoesToTheImagesPageAndABadFileIsShownWithTheForm() throws Exception {
        byte[] png = Files.readAllBytes(Fixtures.dir("vit-tiny").resolve("sample.png"));
        String location = given().redirects().follow(false).multiPart("file", "sample.png", png, "image/png")
                .post("/images").then().statusCode(303).header("Location", containsString("/images/")).extract().header("Location");
        given().accept("text/html").get(location).then().statusCode(200).body(containsString("32 × 32"));
        given().accept("text/html").multiPart("file", "notes.txt", "not an image".getBytes(), "text/plain").post("/images")
                .then().statusCode(415).body(containsString("neither a PNG nor a JPEG")).body(containsString("type=\"file\""));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
