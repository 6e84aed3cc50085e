package io.lensboard.images;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Issue 26 item 3, "cancel when the client leaves": a raw socket client sends the slowest JPEG the budgets let
 * through (16 scans of 12 megapixels, ImageDecoderStopTest's) to {@code POST /api/images} and to the page's upload
 * form, and closes as soon as its decode has begun. The decode is stopped because the client left (the decoder
 * counts it), every decode slot is free again, and nothing is stored.
 */
@QuarkusTest
class ImageUploadDisconnectTest {
    @TestHTTPResource("/")
    URL base;

    @Test
    void anApiUploadWhoseClientLeavesMidDecodeStopsAndStoresNothing() throws Exception {
        byte[] jpeg = ImageDecoderStopTest.slowestJpeg();
        leaveMidDecode(request("/api/images", "image/jpeg", jpeg), id(jpeg));
    }

    @Test
    void aPageUploadWhoseClientLeavesMidDecodeStopsAndStoresNothing() throws Exception {
        byte[] jpeg = ImageDecoderStopTest.slowestJpeg();
        String boundary = "lensboard-test-boundary";
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        form.writeBytes(jpeg);
        form.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        leaveMidDecode(request("/images", "multipart/form-data; boundary=" + boundary, form.toByteArray()), id(jpeg));
    }

    private void leaveMidDecode(byte[] request, String id) throws Exception {
        given().delete("/api/images/" + id); // none is stored, unless an earlier broken build stored it
        long reads = ImageDecoder.reads();
        long abandoned = ImageDecoder.abandoned();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            long giveUp = System.nanoTime() + 30_000_000_000L;
            while (ImageDecoder.reads() == reads && System.nanoTime() < giveUp) {
                Thread.sleep(5);
            }
            assertTrue(ImageDecoder.reads() > reads, "the upload's decode began");
        } // the client leaves: its decode has a second or more to go
        ImageDecoderStopTest.awaitIdle();
        assertEquals(abandoned + 1, ImageDecoder.abandoned(), "the decode stopped because its client left");
        given().get("/api/images/" + id).then().statusCode(404);
    }

    private byte[] request(String path, String contentType, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: localhost:" + base.getPort() + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The id an upload of these bytes would have: the first 16 hex digits of their SHA-256. */
    private static String id(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    }
}
