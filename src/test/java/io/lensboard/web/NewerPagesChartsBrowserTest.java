package io.lensboard.web;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.Chromium;
import io.lensboard.testing.RunsApi;
import io.lensboard.web.lens.LensLinks;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The newer pages' charts and run states as a researcher sees them in headless Chromium (issue 25, items 4–7, 9, 11,
 * 12), each page at 1280 px and at 390 px with no sideways scroll and a console free of errors. Charts are read from
 * the page's own Chart.js instances. Screenshots go to target/screenshots/ (the README's are copied from there).
 */
@QuarkusTest
@Tag("browser")
class NewerPagesChartsBrowserTest {
    private static final Duration LONG = Duration.ofSeconds(240);

    @TestHTTPResource("/")
    URL root;

    private static WebDriver chromium() throws java.io.IOException {
        return Chromium.start(1280, 1000);
    }

    private static void assertNoConsoleErrors(WebDriver driver) {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertTrue(errors.isEmpty(), "browser console errors: " + errors);
    }

    private static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The Chart.js chart drawn on the first canvas matching {@code selector}, as a JS expression. */
    private static String chart(String selector) {
        return "Chart.getChart(document.querySelector('" + selector + "'))";
    }

    /** The page as it is now, at 1280 px and then at 390 px (a 390 × 844 phone), is no wider than the screen. */
    private static void fitsDesktopAndPhone(WebDriver driver, String what) {
        for (int width : new int[] {1280, 390}) {
            ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", width == 390 ? 844 : 1000, "deviceScaleFactor", 1, "mobile", width == 390));
            // charts follow their box's new width on the next frames (a ResizeObserver): give them a moment
            try {
                Chromium.waitFor(driver, Duration.ofSeconds(5)).until(d -> (Long) js(d, "return document.documentElement.scrollWidth") <= width);
            } catch (org.openqa.selenium.TimeoutException e) {
                // the assertion below says how wide, and what
            }
            Object wide = js(driver, "return document.documentElement.scrollWidth");
            assertTrue((Long) wide <= width, () -> what + " is " + wide + " px wide at " + width + " px; too wide: " + js(driver,
                    "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > arguments[0])"
                            + ".slice(-6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))", width));
        }
        ((ChromeDriver) driver).executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    private static void screenshot(WebDriver driver, String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        assertNotNull(shot);
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String study(String kind, List<String> models, List<Integer> blocks, List<Boolean> heads, List<Integer> seeds,
                                Map<String, Object> params) {
        return given().contentType("application/json").body(Map.of("kind", kind, "models", models, "blocks", blocks, "lm_head", heads,
                "seeds", seeds, "params", params)).post("/api/studies").then().statusCode(201).extract().path("page");
    }

    /** Item 4: rows that never met the criterion sit at the top of the axis with their own marker; equal lines say so. */
    @Test
    void studyChartMarksNeverAtTheTopAndTellsEqualLinesApart() throws Exception {
        WebDriver driver = chromium();
        try {
            // two steps are far too few for m_g to fall below m: every row "never" meets the criterion, so both lines coincide
            String page = study("reconstruction", List.of("gpt2-tiny"), List.of(1, 2), List.of(true, false), List.of(0),
                    Map.of("prompt", "The sky is blue.", "steps", 2, "lr", 0.05));
            driver.get(root + page.substring(1));
            Chromium.waitFor(driver, LONG).until(d -> d.findElement(By.id("study-status")).getText().equals("4 of 4 runs finished"));
            Chromium.waitFor(driver, LONG).until(d -> d.findElements(By.cssSelector(".study-live .finished")).size() == 1);
            List<?> texts = (List<?>) js(driver, "return [...document.querySelectorAll('table.study tbody tr')].map(r => r.cells[3].textContent)");
            assertEquals(List.of("never", "never", "never", "never"), texts, "the table's steps to criterion");
            String c = chart(".chart-criterion");
            Chromium.waitFor(driver, LONG).until(d -> js(d, "return " + c + ".data.datasets[1].data.length === 2").equals(Boolean.TRUE));
            Object never = js(driver, "const c = " + c + "; const top = c.scales.y.max;"
                    + " return [c.data.datasets.every(d => d.data.every(v => v === top)),"
                    + " c.scales.y.ticks.at(-1).label, c.getDatasetMeta(0).data[0].options.pointStyle]");
            assertEquals(List.of(true, "never", "crossRot"), never, "never: at the top, its tick says never, its own marker");
            Object labels = js(driver, "return " + c + ".data.datasets.map(d => d.label)");
            assertEquals(List.of("gpt2-tiny, LM head (✕ at the top: never)",
                    "gpt2-tiny, no LM head (same as gpt2-tiny, LM head) (✕ at the top: never)"), labels);
            Object markers = js(driver, "return " + c + ".data.datasets.map(d => d.marker)");
            assertEquals(List.of("circle", "rect"), markers, "each line has a marker of its own");
            js(driver, "const c = " + c + "; c.tooltip.setActiveElements([{datasetIndex: 1, index: 0}], {x: 0, y: 0}); c.update();");
            assertEquals(List.of("gpt2-tiny, no LM head: never"), js(driver, "return " + c + ".tooltip.body.flatMap(b => b.lines)"));
            fitsDesktopAndPhone(driver, page);
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 3's walk study, charted against blocks (the README's screenshot of a walk's study). */
    @Test
    void walkStudyChartsItsRatioAgainstBlocks() throws Exception {
        WebDriver driver = chromium();
        try {
            String page = study("orthogonal-walk", List.of("gpt2-tiny", "gpt2-tiny:untrained"), List.of(1, 2, 4), List.of(false), List.of(0),
                    Map.of("prompt", "The sky is blue.", "steps", 10, "eta", 0.1, "decode_every", 5));
            driver.get(root + page.substring(1));
            Chromium.waitFor(driver, LONG).until(d -> d.findElement(By.id("study-status")).getText().equals("6 of 6 runs finished"));
            Chromium.waitFor(driver, LONG).until(d -> d.findElements(By.cssSelector(".study-live .finished")).size() == 1);
            String c = chart(".chart-criterion");
            Chromium.waitFor(driver, LONG).until(d -> js(d, "return " + c + ".data.datasets.every(d => d.data.length === 3"
                    + " && d.data.every(Number.isFinite))").equals(Boolean.TRUE));
            assertEquals(2L, js(driver, "return " + c + ".data.datasets.length"), "one line per model");
            js(driver, "document.querySelector('.chart-criterion').scrollIntoView({block: 'center'})");
            screenshot(driver, "study-walk.png");
            fitsDesktopAndPhone(driver, page);
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 6: one training-loss line per layer's probe over its own epochs; accuracy to one decimal. */
    @Test
    void probeLossChartHasOneLinePerLayer() throws Exception {
        WebDriver driver = chromium();
        try {
            String id = RunsApi.start("probe", "gpt2-tiny", Map.of("layers", "0,2,4", "epochs", 4, "tokens", 2048, "context", 32));
            driver.get(root + "runs/" + id);
            Chromium.waitFor(driver, LONG).until(d -> d.findElement(By.id("run-state")).getText().equals("done"));
            String c = chart(".chart-loss");
            Chromium.waitFor(driver, LONG).until(d -> js(d, "return " + c + ".data.datasets.length === 3").equals(Boolean.TRUE));
            assertEquals(List.of("training loss, layer 0", "training loss, layer 2", "training loss, layer 4"),
                    js(driver, "return " + c + ".data.datasets.map(d => d.label)"));
            assertEquals(List.of("1", "2", "3", "4"), js(driver, "return " + c + ".data.labels"), "x: the epoch within each probe");
            assertEquals(List.of(List.of("1", "2", "3", "4"), List.of("1", "2", "3", "4"), List.of("1", "2", "3", "4")),
                    js(driver, "return " + c + ".data.datasets.map(d => d.data.map(p => p.x))"));
            assertEquals(Boolean.TRUE, js(driver, "return " + c + ".data.datasets.every(d => d.data.every(p => Number.isFinite(p.y)))"));
            assertEquals(Boolean.TRUE, js(driver, "return new Set(" + c + ".data.datasets.map(d => d.borderColor)).size === 3"),
                    "each layer's line has its own colour");
            String accuracy = driver.findElement(By.cssSelector("table.probes tbody tr td:nth-child(3)")).getText();
            assertTrue(accuracy.matches("\\d+\\.\\d%"), "one decimal: " + accuracy);
            js(driver, "document.querySelector('.chart-loss').scrollIntoView({block: 'center'})");
            screenshot(driver, "probe.png");
            fitsDesktopAndPhone(driver, "the probe run's page");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 7: the followed token's probability on a linear axis, its rank on a log axis of its own. */
    @Test
    void followedTokensRankHasItsOwnLogAxis() throws Exception {
        WebDriver driver = chromium();
        try {
            driver.get(root + "lens?model=gpt2-tiny&prompt=" + LensLinks.enc("The sky is blue. It is nice."));
            String c = chart(".chart-follow");
            Chromium.waitFor(driver, LONG).until(d -> js(d, "const c = " + c + "; return !!c && c.data.datasets.length === 2").equals(Boolean.TRUE));
            assertEquals(List.of("y", "rank"), js(driver, "return " + c + ".data.datasets.map(d => d.yAxisID || 'y')"));
            assertEquals(List.of("linear", "logarithmic", "probability", "rank (log)"), js(driver, "const s = " + c + ".scales;"
                    + " return [s.y.type, s.rank.type, s.y.options.title.text, s.rank.options.title.text]"));
            js(driver, "const f = document.querySelector('form.follow'); f.elements.b.selectedIndex = 2;");
            driver.findElement(By.cssSelector("form.follow button")).click();
            assertEquals(List.of("logit difference", false), js(driver, "const c = " + c + ";"
                    + " return [c.scales.y.options.title.text, c.options.scales.rank.display]"), "a logit difference has no rank axis");
            fitsDesktopAndPhone(driver, "the lens page");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 12: a float64 walk's ratio and orthogonality span 1e-16 … 10; their log axis reads 1e-15, 0.001, 10. */
    @Test
    void logAxisTicksReadLikeOtherNumbers() throws Exception {
        WebDriver driver = chromium();
        try {
            String id = RunsApi.start("orthogonal-walk", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "lm_head", false,
                    "precision", "float64", "steps", 20, "eta", 0.1, "decode_every", 5));
            driver.get(root + "runs/" + id);
            Chromium.waitFor(driver, LONG).until(d -> d.findElement(By.id("run-state")).getText().equals("done"));
            String c = chart(".chart-ratio");
            Chromium.waitFor(driver, LONG).until(d -> js(d, "return " + c + ".data.datasets[0].data.length === 20").equals(Boolean.TRUE));
            List<?> ticks = (List<?>) js(driver, "return " + c + ".scales.y.ticks.map(t => t.label).filter(l => l !== '')");
            assertFalse(ticks.isEmpty());
            for (Object t : ticks) {
                assertTrue(String.valueOf(t).matches("\\d(?:\\.\\d{1,3})?e-?\\d+|\\d{1,6}|0\\.\\d{1,7}|\\d+\\.\\d{1,3}"), "tick " + t + " of " + ticks);
            }
            assertTrue(ticks.stream().anyMatch(t -> String.valueOf(t).matches("[125]e-\\d+")), "small powers of ten as 1e-15: " + ticks);
            fitsDesktopAndPhone(driver, "the walk's page");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 9: "took N s" as the last event arrives, no reload; cancelled says cancelled; failed says failed and why. */
    @Test
    void runPagesSayHowTheRunEnded() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, LONG);
            String done = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "steps", 40, "lr", 0.05));
            driver.get(root + "runs/" + done);
            js(driver, "window.sameDocument = true");
            wait.until(d -> d.findElement(By.cssSelector(".progress-line")).getText().matches(".*took \\d+ s.*"));
            assertEquals(Boolean.TRUE, js(driver, "return window.sameDocument === true"), "no reload");
            wait.until(d -> !d.findElements(By.cssSelector(".actions .finished")).isEmpty());
            assertEquals("finished", driver.findElement(By.cssSelector(".actions .finished")).getText());
            assertEquals("100%", driver.findElement(By.cssSelector(".progress-text")).getText());
            fitsDesktopAndPhone(driver, "a finished run's page");

            String cancelled = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "hello", "steps", 100000));
            RunsApi.await(cancelled, Set.of("running"));
            driver.get(root + "runs/" + cancelled);
            driver.findElement(By.cssSelector("form.cancel button")).click();
            wait.until(d -> d.findElement(By.cssSelector(".progress-line")).getText().matches("cancelled after \\d+ s"));
            wait.until(d -> !d.findElements(By.cssSelector(".actions .finished")).isEmpty());
            assertEquals("cancelled", driver.findElement(By.cssSelector(".actions .finished")).getText());
            assertTrue(driver.findElements(By.cssSelector(".progress-line progress")).isEmpty(), "no progress bar");
            fitsDesktopAndPhone(driver, "a cancelled run's page");

            String corpus = "too-short-" + System.nanoTime();
            given().contentType("text/plain").queryParam("name", corpus).body("Too short.").post("/api/corpora").then().statusCode(201);
            String failed = RunsApi.start("tuned-lens", "gpt2-tiny", Map.of("corpus", corpus, "steps", 5, "tokens", 256, "context", 32));
            driver.get(root + "runs/" + failed);
            wait.until(d -> d.findElement(By.id("run-state")).getText().equals("failed"));
            wait.until(d -> d.findElement(By.id("run-result")).getText().startsWith("failed: corpus '" + corpus + "' has "));
            wait.until(d -> !d.findElements(By.cssSelector(".actions .finished")).isEmpty());
            assertEquals("failed", driver.findElement(By.cssSelector(".actions .finished")).getText());
            assertTrue(driver.findElement(By.cssSelector(".progress-line")).getText().matches("failed (after \\d+ s|before it started)"));
            assertFalse(driver.findElement(By.cssSelector(".live-step .empty")).isDisplayed(), "no first-step explanation under empty charts");
            screenshot(driver, "run-failed.png");
            fitsDesktopAndPhone(driver, "a failed tuned-lens run's page");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 5: the twin button says where it goes and opens both runs side by side. */
    @Test
    void twinButtonOpensBothRunsSideBySide() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, LONG);
            String id = RunsApi.start("reconstruction", "gpt2-tiny:untrained", Map.of("prompt", "The sky is blue.", "steps", 10));
            driver.get(root + "runs/" + id);
            var button = driver.findElement(By.xpath("//button[starts-with(normalize-space(.), 'compare with the')]"));
            assertEquals("compare with the trained model: gpt2-tiny:untrained → gpt2-tiny", button.getText());
            button.click();
            wait.until(d -> d.getCurrentUrl().matches(".*/runs/compare/" + id + "/\\w+$"));
            assertEquals(2, driver.findElements(By.cssSelector(".runs-compare .run")).size());
            wait.until(d -> d.findElements(By.cssSelector(".runs-compare .run-state")).stream().allMatch(s -> s.getText().equals("done")));
            List<?> heads = (List<?>) js(driver, "return [...document.querySelectorAll('.runs-compare .run h1')].map(h => h.textContent)");
            assertTrue(String.valueOf(heads.get(0)).startsWith("reconstruction on gpt2-tiny:untrained"), heads.toString());
            assertTrue(String.valueOf(heads.get(1)).startsWith("reconstruction on gpt2-tiny "), heads.toString());
            wait.until(d -> d.findElements(By.cssSelector(".runs-compare .run-result")).stream().allMatch(r -> r.getText().contains("Exact tokens")));
            fitsDesktopAndPhone(driver, "two runs side by side");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Item 11: the pages that scrolled sideways on a phone: an alignment table, a tuned-lens run, a hybrid's image page. */
    @Test
    void alignmentTunedLensAndImagePagesFitAPhone() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, LONG);
            String table = given().contentType("application/json").body(Map.of("kind", "exhaustive", "models", List.of("gpt2-tiny"),
                    "layers", List.of(1), "features", List.of("[:, :, 0]"), "params", Map.of("topk", 3, "batch", 512)))
                    .post("/api/alignments").then().statusCode(201).extract().path("id");
            driver.get(root + "alignments/" + table);
            wait.until(d -> d.findElement(By.id("alignment-status")).getText().equals("1 of 1 cells finished"));
            fitsDesktopAndPhone(driver, "/alignments/" + table);

            String lens = RunsApi.start("tuned-lens", "gpt2-tiny", Map.of("steps", 3, "tokens", 256, "context", 32));
            driver.get(root + "runs/" + lens);
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains("decoder=tuned:"));
            fitsDesktopAndPhone(driver, "the tuned-lens run's page");

            driver.manage().window().setSize(new Dimension(1280, 1300));
            driver.get(root + "images/builtin:shapes?model=vit-tiny%2Bgpt2-tiny");
            wait.until(d -> !d.findElements(By.cssSelector(".heat-map")).isEmpty());
            screenshot(driver, "image-hybrid.png");
            fitsDesktopAndPhone(driver, "the hybrid's image page");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }
}
