package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.Chromium;
import io.lensboard.testing.RunsApi;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What a second walk of issue 25's pages (Chromium, 1280 px and 390 px, forms and links only) still found: a refused
 * form's message, which quotes the parameters as JSON without spaces, pushed the page sideways on a phone; a probe's
 * accuracy chart drew an axis past 100 %.
 */
@QuarkusTest
@Tag("browser")
class IssueWalkBrowserTest {
    private static final int PHONE = 390;

    @TestHTTPResource("/")
    URL root;

    /** /studies, /images/grid and /images/compare: a refused form keeps what was typed and its message fits a phone. */
    @Test
    void refusedFormsFitAPhone() throws Exception {
        WebDriver driver = Chromium.start(1280, 900);
        try {
            ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", PHONE, "height", 844, "deviceScaleFactor", 1, "mobile", true));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(60));
            for (List<String> page : List.of(List.of("studies", "blocks", "1, 99"), List.of("images/grid", "layers", "1, 77"),
                    List.of("images/compare", "layers", "1, 55"))) {
                driver.get(root + page.get(0));
                WebElement field = driver.findElement(By.cssSelector("form[action='/" + page.get(0) + "'] [name=" + page.get(1) + "]"));
                field.clear();
                field.sendKeys(page.get(2));
                js(driver, "arguments[0].form.requestSubmit()", field);
                WebElement error = wait.until(d -> d.findElement(By.cssSelector("p.error[role=alert]")));
                assertTrue(error.getText().contains("99") || error.getText().contains("77") || error.getText().contains("55"),
                        error.getText());
                assertEquals(page.get(2), driver.findElement(By.name(page.get(1))).getAttribute("value"), "kept as typed");
                long width = (Long) js(driver, "return document.documentElement.scrollWidth");
                assertTrue(width <= PHONE, "refused /" + page.get(0) + " is " + width + " px wide at " + PHONE + " px");
                assertNoConsoleErrorsBut(driver, "/" + page.get(0) + " - Failed to load resource: the server responded with a status of 400");
            }
        } finally {
            driver.quit();
        }
    }

    /** A probe's held-out accuracy is a fraction: its chart's axis runs from 0 to 1, whatever the scores. */
    @Test
    void probeAccuracyAxisRunsFromZeroToOne() throws Exception {
        String id = RunsApi.start("probe", "stories260K", Map.of("layers", "0,1", "epochs", 2, "tokens", 1024, "context", 64));
        RunsApi.done(id);
        WebDriver driver = Chromium.start(1280, 900);
        try {
            driver.get(root + "runs/" + id);
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(60));
            String script = "const c = Chart.getChart(document.querySelector('canvas.chart-accuracy'));"
                    + "return c && c.data.datasets[0].data.length === 2 ? [c.scales.y.min, c.scales.y.max] : null;";
            List<?> axis = wait.until(d -> (List<?>) js(d, script));
            assertEquals(0.0, ((Number) axis.get(0)).doubleValue(), "accuracy axis from");
            assertEquals(1.0, ((Number) axis.get(1)).doubleValue(), "accuracy axis to");
            assertNoConsoleErrorsBut(driver, null);
        } finally {
            driver.quit();
        }
    }

    private static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** No console errors but the refused request's own status line (a 400 is the form's intended answer). */
    private static void assertNoConsoleErrorsBut(WebDriver driver, String expected) {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> expected == null || !e.getMessage().contains(expected)).toList();
        assertTrue(errors.isEmpty(), "browser console errors: " + errors);
    }
}
