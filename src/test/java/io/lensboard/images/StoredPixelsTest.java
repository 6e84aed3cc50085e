package io.lensboard.images;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.Fixtures;
import io.lensboard.analysis.ImageActivations;
import io.lensboard.model.checkpoint.SafetensorsWriter;
import io.lensboard.model.pool.ModelPool;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 item 3: an upload stores its decoded pixels, and no later use decodes the file again (ImageIO's reads are
 * counted by {@link ImageDecoder#reads()}); an image stored before V12 is decoded once, at its first use, and its
 * pixels stored then (and again, should they be damaged); activations from the stored pixels are the same bytes as from the file decoded afresh, on
 * vit-tiny's sample image (../shared/fixtures/vit-tiny/sample.png).
 */
@QuarkusTest
class StoredPixelsTest {
    @Inject
    ImageService images;

    @Inject
    ImageStore store;

    @Inject
    DataSource db;

    @Inject
    ModelPool pool;

    private static byte[] sample() throws Exception {
        return Files.readAllBytes(Fixtures.dir("vit-tiny").resolve("sample.png"));
    }

    private static String upload(byte[] png) {
        return given().contentType("image/png").body(png).post("/api/images").then().statusCode(201).extract().path("id");
    }

    @Test
    void anUploadStoresItsDecodedPixelsAndLaterUsesReadThemWithoutDecoding() throws Exception {
        byte[] png = sample();
        String id = upload(png);
        Pixels decoded = Pixels.of(ImageDecoder.decode(png, images.limits()).image());
        assertArrayEquals(decoded.rgb(), store.pixels(id).orElseThrow().rgb(), "the stored pixels are the decoded ones");

        images.forgetKept(); // as after a restart, or on another replica
        long reads = ImageDecoder.reads();
        BufferedImage used = images.decode(id);
        assertEquals(reads, ImageDecoder.reads(), "the image was not decoded again");
        assertArrayEquals(decoded.rgb(), Pixels.of(used).rgb());
        assertEquals(reads, ImageDecoder.reads());
    }

    @Test
    void anImageStoredBeforeV12IsDecodedOnceAndItsPixelsStoredThen() throws Exception {
        byte[] png = noisePng(new Random().nextLong(), 24, 20);
        String id = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(png)).substring(0, 16);
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO images (id, media_type, width, height, data, bytes, created_at) VALUES (?, 'image/png', 24, 20, ?, ?, ?)")) {
            st.setString(1, id); // as V6 and V10 stored it: no pixels
            st.setBytes(2, png);
            st.setLong(3, png.length);
            st.setTimestamp(4, Timestamp.from(Instant.now()));
            st.executeUpdate();
        }
        try {
            assertTrue(store.pixels(id).isEmpty(), "no pixels before its first use");
            long pixelBytes = store.usage().pixelBytes();
            long reads = ImageDecoder.reads();
            BufferedImage first = images.decode(id);
            assertEquals(reads + 1, ImageDecoder.reads(), "decoded at its first use");
            Pixels stored = store.pixels(id).orElseThrow();
            assertArrayEquals(Pixels.of(ImageDecoder.decode(png, images.limits()).image()).rgb(), stored.rgb());
            assertTrue(store.usage().pixelBytes() > pixelBytes, "the stored pixels count in the quota's usage");

            images.forgetKept();
            reads = ImageDecoder.reads();
            assertArrayEquals(Pixels.of(first).rgb(), Pixels.of(images.decode(id)).rgb());
            assertEquals(reads, ImageDecoder.reads(), "not decoded a second time");

            try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                    "UPDATE images SET pixels = ? WHERE id = ?")) {
                st.setBytes(1, new byte[] {1, 2, 3}); // damaged
                st.setString(2, id);
                st.executeUpdate();
            }
            images.forgetKept();
            assertArrayEquals(Pixels.of(first).rgb(), Pixels.of(images.decode(id)).rgb(), "damaged pixels: the file decoded again");
            assertEquals(reads + 1, ImageDecoder.reads());
            assertArrayEquals(stored.rgb(), store.pixels(id).orElseThrow().rgb(), "and its pixels stored again");
        } finally {
            images.delete(id);
        }
    }

    @Test
    void activationsFromStoredPixelsAreTheBytesOfAFreshDecodes() throws Exception {
        byte[] png = sample();
        String id = upload(png);
        images.forgetKept();
        long reads = ImageDecoder.reads();
        byte[] fromStore = given().queryParam("model", "vit-tiny").get("/api/images/" + id + "/activations.safetensors")
                .then().statusCode(200).extract().asByteArray();
        assertEquals(reads, ImageDecoder.reads(), "served from the stored pixels");

        BufferedImage fresh = ImageIO.read(new java.io.ByteArrayInputStream(png)); // what every use decoded before V12
        byte[] fromFile = pool.run("vit-tiny", m -> {
            try (var scope = m.newScope()) {
                var x = ImageActivations.pixelValues(m, fresh, scope);
                var states = ImageActivations.hiddenStates(m, x);
                return new SafetensorsWriter().add("pixel_values", x.getShape().getShape(), x.toFloatArray())
                        .add("hidden_states", states.getShape().getShape(), states.toFloatArray()).toBytes();
            }
        }).get(60, TimeUnit.SECONDS);
        assertArrayEquals(fromFile, fromStore, "pixel_values and hidden_states, float for float");
    }

    /** A PNG of seeded RGB noise (distinct per seed). */
    static byte[] noisePng(long seed, int w, int h) throws Exception {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
