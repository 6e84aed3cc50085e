package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lensboard.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A model warm in a second dtype is still one choice in the forms that name models by id: two options of the same
 * value made choosing gpt2-tiny choose it twice, and an alignment table of 2 models × 2 blocks became 3 × 2.
 */
@QuarkusTest
class ModelChoicesTest {

    @Test
    void aModelWarmInTwoDtypesIsOneOptionOnTheAlignmentAndStudyForms() {
        Fixtures.root();
        given().queryParam("model", "gpt2-tiny").queryParam("prompt", "The cat").get("/api/lens").then().statusCode(200);
        given().queryParam("model", "gpt2-tiny").queryParam("dtype", "bfloat16").queryParam("prompt", "The cat")
                .get("/api/lens").then().statusCode(200);
        for (String page : new String[] {"/alignments", "/studies"}) {
            String html = given().accept("text/html").get(page).then().statusCode(200).extract().asString();
            assertEquals(1, count(html, "<option value=\"gpt2-tiny\""), page);
        }
    }

    private static int count(String html, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
