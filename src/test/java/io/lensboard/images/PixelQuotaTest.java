package io.lensboard.images;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The stored pixels' own quota (issue 26 item 3): 5,000 bytes here, in an empty data directory. A 30x30 noise image's
 * pixels (2,700 bytes, which deflating cannot shrink) fit once, not twice; the second upload is a 409 naming the
 * setting, and a delete makes room.
 */
@QuarkusTest
@TestProfile(PixelQuotaTest.SmallPixelQuota.class)
class PixelQuotaTest {
    public static class SmallPixelQuota implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.data-dir", "./target/pixel-quota-test-data-" + UUID.randomUUID(),
                    "lensboard.images.quota-pixel-bytes", "5000");
        }
    }

    @Inject
    ImageService images;

    @Test
    void theImageWhosePixelsWouldPassTheirQuotaIsRefusedAndADeleteMakesRoom() throws Exception {
        byte[] first = StoredPixelsTest.noisePng(1, 30, 30);
        byte[] second = StoredPixelsTest.noisePng(2, 30, 30);
        String id = given().contentType("image/png").body(first).post("/api/images").then().statusCode(201).extract().path("id");
        long used = images.usage().pixelBytes();
        assertTrue(used > 2700 && used < 5000, used + " bytes of pixels");
        given().contentType("image/png").body(second).post("/api/images").then().statusCode(409)
                .body("error", containsString("the images' decoded pixels take " + used + " bytes"))
                .body("error", containsString("over the quota of 5000 bytes"))
                .body("error", containsString("LENSBOARD_IMAGE_QUOTA_PIXEL_BYTES"));
        assertEquals(1, images.usage().count(), "nothing stored");
        given().delete("/api/images/" + id).then().statusCode(204);
        assertEquals(0, images.usage().pixelBytes());
        given().contentType("image/png").body(second).post("/api/images").then().statusCode(201);
    }
}
