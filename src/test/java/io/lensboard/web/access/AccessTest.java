package io.lensboard.web.access;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** With LENSBOARD_TOKEN set: the API needs the bearer token, pages ask once and keep a cookie; other sites cannot post. */
@QuarkusTest
@TestProfile(AccessTest.WithToken.class)
class AccessTest {
    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lensboard.token", "s3cret-token");
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
    void everyAnswerCarriesTheSecurityHeaders() {
        given().get("/login").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "same-origin");
        given().get("/lensboard.css").then().statusCode(200).header("X-Content-Type-Options", "nosniff");
    }
}
