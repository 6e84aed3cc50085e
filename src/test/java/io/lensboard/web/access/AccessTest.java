package io.lensboard.web.access;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With LENSBOARD_TOKEN set: the API needs the bearer token, pages ask once and keep a cookie; other sites cannot post. */
@QuarkusTest
@TestProfile(AccessTest.WithToken.class)
class AccessTest {
    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.token", "s3cret-token", "lensboard.allowed-hosts", "allowed.example");
        }
    }

    @Test
    void apiNeedsTheBearerToken() {
        given().get("/api/runs").then().statusCode(401).body("error", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").get("/api/runs").then().statusCode(401);
        given().header("Authorization", "Bearer s3cret-token").get("/api/runs").then().statusCode(200);
    }

    @Test
    void pagesAskOnceThenKeepACookie() {
        given().redirects().follow(false).accept("text/html").get("/runs?x=1").then().statusCode(303)
                .header("Location", containsString("/login?next=%2Fruns%3Fx%3D1"));
        given().accept("text/html").get("/login").then().statusCode(200).body(containsString("name=\"token\""));
        given().redirects().follow(false).formParam("token", "nope").post("/login").then().statusCode(401)
                .body(containsString("not this lensboard"));
        String cookie = given().redirects().follow(false).formParam("token", "s3cret-token").formParam("next", "/runs")
                .post("/login").then().statusCode(303).header("Location", containsString("/runs"))
                .extract().cookie(AccessFilter.COOKIE);
        given().cookie(AccessFilter.COOKIE, cookie).accept("text/html").get("/runs").then().statusCode(200);
        assertFalse(cookie.contains("s3cret-token"), "the cookie carries the token itself: " + cookie);
        given().cookie(AccessFilter.COOKIE, "s3cret-token").accept("text/html").redirects().follow(false).get("/runs")
                .then().statusCode(303);
        given().redirects().follow(false).formParam("token", "s3cret-token").formParam("next", "//evil.example/")
                .post("/login").then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith(":" + io.restassured.RestAssured.port + "/"));
    }

    @Test
    void otherSitesCannotChangeAnything() {
        given().header("Authorization", "Bearer s3cret-token").header("Origin", "https://evil.example").contentType("application/json")
                .body(Map.of("kind", "reconstruction", "model", "gpt2-tiny", "params", Map.of("prompt", "x")))
                .post("/api/runs").then().statusCode(403).body("error", containsString("another site"));
        given().header("Authorization", "Bearer s3cret-token").header("Sec-Fetch-Site", "cross-site")
                .post("/api/runs/nope/cancel").then().statusCode(403);
    }

    @Test
    void aRequestForAnotherHostIsRefusedAgainstDnsRebinding() {
        String evil = "evil.example:8092";
        given().header("Host", evil).header("Origin", "http://" + evil).header("Authorization", "Bearer s3cret-token")
                .get("/api/runs").then().statusCode(421).body("error", containsString("lensboard.allowed-hosts"))
                .body("error", containsString("evil.example"));
        given().header("Host", evil).header("Origin", "http://" + evil).contentType("text/plain").body("a corpus")
                .post("/api/corpora?name=rebound").then().statusCode(421);
        given().header("Host", "allowed.example").header("Authorization", "Bearer s3cret-token")
                .get("/api/runs").then().statusCode(200);
        for (String host : new String[] {"localhost", "127.0.0.1:1", "[::1]:8092", "LOCALHOST:9", "10.1.2.3"}) {
            given().header("Host", host).header("Authorization", "Bearer s3cret-token").get("/api/runs").then().statusCode(200);
        }
    }

    @Test
    void aNextThatIsNoUriSendsHome() {
        given().redirects().follow(false).formParam("token", "s3cret-token").formParam("next", "/a b")
                .post("/login").then().statusCode(303).header("Location", org.hamcrest.Matchers.endsWith(":" + io.restassured.RestAssured.port + "/"));
        given().accept("text/html").queryParam("next", "/a b").get("/login").then().statusCode(200);
    }

    /** Ten wrong tokens in a minute from one address (127.0.0.2 here, so the other tests' client is not held up). */
    @Test
    void guessingTokensIsSlowedDownPerClient() throws Exception {
        for (int i = 0; i < LoginThrottle.LIMIT; i++) {
            assertTrue(fromOtherAddress("POST /login", "token=guess-" + i).startsWith("HTTP/1.1 401"));
        }
        String refused = fromOtherAddress("POST /login", "token=s3cret-token");
        assertTrue(refused.startsWith("HTTP/1.1 429"), refused);
        assertTrue(refused.toLowerCase(java.util.Locale.ROOT).contains("retry-after: "), refused);
        String api = fromOtherAddress("GET /api/runs", null);
        assertTrue(api.startsWith("HTTP/1.1 429") && api.contains("wrong tokens"), api);
        given().header("Authorization", "Bearer s3cret-token").get("/api/runs").then().statusCode(200);
    }

    private static String fromOtherAddress(String requestLine, String form) throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", io.restassured.RestAssured.port), 5000);
            socket.setSoTimeout(10_000);
            String body = form == null ? "" : form;
            String request = requestLine + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer wrong\r\n"
                    + (form == null ? "" : "Content-Type: application/x-www-form-urlencoded\r\n")
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        given().get("/login").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin");
        given().get("/lensboard.css").then().statusCode(200).header("X-Content-Type-Options", "nosniff");
    }
}
