package io.lensboard.web;

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
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A researcher's first minute, in headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/run installs): open a shared lens link, watch every layer arrive over SSE, switch the metric,
 * click a cell, and leave the console free of errors. Screenshots go to target/screenshots/.
 */
@QuarkusTest
@Tag("browser")
class BrowserTest {

    @TestHTTPResource("/")
    URL root;

    private static WebDriver chromium() throws java.io.IOException {
        return Chromium.start(1400, 1100);
    }

    private static void assertNoConsoleErrors(WebDriver driver) {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertTrue(errors.isEmpty(), "browser console errors: " + errors);
    }

    @Test
    void runPageFollowsARunToItsResult() throws Exception {
        WebDriver driver = chromium();
        try {
            String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "The sky is blue.", "steps", 40, "lr", 0.05));
            driver.get(root + "runs/" + id);
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains("Exact tokens"));
            assertEquals("done", driver.findElement(By.id("run-state")).getText());
            assertTrue(driver.findElement(By.cssSelector(".target-tokens")).getText().contains("·sky"));
            Object points = ((JavascriptExecutor) driver).executeScript(
                    "return Chart.getChart(document.querySelector('.chart-loss')).data.datasets[0].data.length");
            assertEquals(40L, points, "every step is on the loss curve");
            screenshot(driver, "run.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** The orthogonal walk's page draws d_i, d_o and the ratio for every step and shows the result (the README's screenshot). */
    @Test
    void orthogonalWalkPageChartsEveryStep() throws Exception {
        walkPageChartsEveryStep("orthogonal-walk", Map.of("eta", 0.1), "largest max", "orthogonal-walk.png");
    }

    @Test
    void clampedWalkPageChartsEveryStep() throws Exception {
        walkPageChartsEveryStep("clamped-walk", Map.of("eta", 0.01, "epsilon", 0.001, "inner_steps", 2), "r = d",
                "clamped-walk.png");
    }

    /** A walk's page draws each of its 30 steps on the ratio chart and shows the decoding of step 30 and the result. */
    private void walkPageChartsEveryStep(String kind, Map<String, Object> own, String resultText, String png) throws Exception {
        WebDriver driver = chromium();
        try {
            Map<String, Object> params = new java.util.HashMap<>(Map.of("prompt", "The sky is blue.", "lm_head", false,
                    "precision", "float64", "steps", 30, "decode_every", 5));
            params.putAll(own);
            String id = given().contentType("application/json").body(Map.of("kind", kind, "model", "gpt2-tiny", "params", params))
                    .post("/api/runs").then().statusCode(201).extract().path("id");
            driver.get(root + "runs/" + id);
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(120));
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains(resultText));
            Object points = ((JavascriptExecutor) driver).executeScript(
                    "return Chart.getChart(document.querySelector('.chart-ratio')).data.datasets[0].data.length");
            assertEquals(30L, points, "every step is on the ratio chart");
            assertTrue(driver.findElement(By.cssSelector(".decoded-tokens")).getText().contains("step 30"));
            screenshot(driver, png);
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void sharedLensLinkStreamsLayersSwitchesMetricAndOpensACell() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "lens?model=gpt2-tiny&prompt=The%20sky%20is%20blue.%20It%20is%20nice.&metric=prob");

            wait.until(d -> d.findElements(By.cssSelector("table.lens tbody tr")).size() == 5);
            wait.until(d -> d.findElement(By.cssSelector(".status")).getText().contains("All layers decoded"));
            String colour = driver.findElement(By.cssSelector("table.lens td[data-layer='4'][data-pos='0']")).getAttribute("style");
            assertTrue(colour.contains("background"), "cells are coloured by the metric: " + colour);
            wait.until(d -> ((JavascriptExecutor) d).executeScript(
                    "return !!Chart.getChart(document.querySelector('.chart-kl'))").equals(Boolean.TRUE));
            screenshot(driver, "lens-prob.png");

            new Select(driver.findElement(By.name("metric"))).selectByValue("entropy");
            wait.until(d -> !d.findElements(By.cssSelector("table.lens[data-metric='entropy'] tbody tr")).isEmpty());
            wait.until(d -> d.getCurrentUrl().contains("metric=entropy"));
            assertEquals(5, driver.findElements(By.cssSelector("table.lens tbody tr")).size());

            driver.findElement(By.cssSelector("table.lens td[data-layer='2'][data-pos='1']")).click();
            wait.until(d -> d.findElement(By.cssSelector(".cell-detail")).getText().contains("rank of the true next token"));
            assertTrue(driver.findElement(By.cssSelector(".cell-detail")).getText().contains("blocks.1.hook_resid_post, position 1"));
            screenshot(driver, "lens-entropy-cell.png");

            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void longPromptPostsToAShortLinkAndShowsTheContextLimitWithoutReconnecting() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root.toString());
            new Select(driver.findElement(By.cssSelector("form.prompt select[name=model]"))).selectByValue("gpt2-tiny");
            // pasted, as a researcher would: 10,000 characters, far beyond gpt2-tiny's 128 tokens
            ((JavascriptExecutor) driver).executeScript("document.querySelector('form.prompt textarea').value = arguments[0]",
                    "word ".repeat(2000));
            driver.findElement(By.cssSelector("form.prompt button[type=submit]")).click();
            wait.until(d -> d.getCurrentUrl().matches(".*/lens/[\\w-]+$"));
            wait.until(d -> d.findElement(By.cssSelector(".lens-pane .status")).getText().contains("context of 128 tokens"));
            Thread.sleep(3000); // long enough for htmx to have reconnected, had the stream not been closed
            Object streams = ((JavascriptExecutor) driver).executeScript(
                    "return performance.getEntriesByType('resource').filter(e => e.name.includes('/rows')).length");
            assertEquals(1L, streams, "one stream, closed after its error: no reconnect loop");
            assertTrue(driver.findElement(By.cssSelector(".lens-pane .status")).getText()
                    .matches("prompt is \\d+ tokens long; gpt2-tiny has a context of 128 tokens: shorten it"));
            screenshot(driver, "lens-long-prompt.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void studyTableFillsInLiveAndChartsStepsToCriterionAgainstBlocks() throws Exception {
        WebDriver driver = chromium();
        try {
            String page = given().contentType("application/json").body(Map.of("kind", "reconstruction",
                            "models", List.of("gpt2-tiny", "gpt2-tiny:untrained"), "blocks", List.of(1, 2, 4), "lm_head", List.of(true, false),
                            "seeds", List.of(0), "params", Map.of("prompt", "The sky is blue.", "steps", 30, "lr", 0.05)))
                    .post("/api/studies").then().statusCode(201).extract().path("page");
            driver.get(root + page.substring(1));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(300));
            wait.until(d -> d.findElement(By.id("study-status")).getText().equals("12 of 12 runs finished"));
            wait.until(d -> d.findElements(By.cssSelector(".study-live .finished")).size() == 1);
            List<WebElement> rows = driver.findElements(By.cssSelector("table.study tbody tr"));
            assertEquals(12, rows.size(), "one row per (model, blocks, lm_head)");
            for (WebElement row : rows) {
                assertTrue(row.getText().contains("1 of 1 done"), row.getText());
            }
            Object lines = ((JavascriptExecutor) driver).executeScript(
                    "const c = Chart.getChart(document.querySelector('.chart-criterion'));"
                            + "return [c.data.datasets.length, c.data.labels.length];");
            assertEquals(List.of(4L, 3L), lines, "one line per (model, lm_head) over blocks 1, 2, 4");
            screenshot(driver, "study.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void alignmentTableFillsInLiveAndAFeatureRunDrawsItsSearch() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(120));
            driver.get(root + "alignments");
            new Select(driver.findElement(By.name("kind"))).selectByValue("greedy");
            Select models = new Select(driver.findElement(By.name("models")));
            models.deselectAll();
            models.selectByValue("gpt2-tiny");
            models.selectByValue("gpt2-tiny:untrained");
            driver.findElement(By.name("layers")).clear();
            driver.findElement(By.name("layers")).sendKeys("1, 4");
            driver.findElement(By.name("tokens")).clear();
            driver.findElement(By.name("tokens")).sendKeys("2");
            driver.findElement(By.cssSelector("form.prompt button")).click();
            wait.until(d -> d.getCurrentUrl().matches(".*/alignments/\\w+$"));
            wait.until(d -> d.findElement(By.id("alignment-status")).getText().equals("8 of 8 cells finished"));
            assertEquals(4, driver.findElements(By.cssSelector("table.alignment tbody tr")).size());
            assertEquals(8, driver.findElements(By.cssSelector("table.alignment td[id^=cell-]")).size());
            for (var cell : driver.findElements(By.cssSelector("table.alignment td[id^=cell-]"))) {
                assertEquals(2, cell.findElements(By.tagName("code")).size(), "two tokens in every cell: " + cell.getText());
            }
            screenshot(driver, "alignment.png");
            assertNoConsoleErrors(driver);

            String id = RunsApi.start("exhaustive", "gpt2-tiny", Map.of("layer", 1, "feature", "[:, :, 0]", "topk", 5, "batch", 512));
            driver.get(root + "runs/" + id);
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains("feature at position 0"));
            Object bars = ((JavascriptExecutor) driver).executeScript(
                    "return Chart.getChart(document.querySelector('.chart-top')).data.datasets[0].data.length");
            assertEquals(5L, bars, "the best five tokens are charted");
            screenshot(driver, "exhaustive-run.png");
            assertNoConsoleErrors(driver);

            String ascent = RunsApi.start("ascent", "gpt2-tiny", Map.of("layer", 2, "feature", "[:, :, 5]", "tokens", 3, "steps", 30));
            driver.get(root + "runs/" + ascent);
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains("decoded tokens fed back in"));
            Object steps = ((JavascriptExecutor) driver).executeScript(
                    "return Chart.getChart(document.querySelector('.chart-objective')).data.datasets[0].data.length");
            assertEquals(30L, steps, "every step is on the objective curve");
            assertEquals(3, driver.findElements(By.cssSelector(".live-tokens code")).size(), "the current three tokens");
            screenshot(driver, "ascent-run.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    private static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Opens a lens page by its query and waits until every layer is decoded. */
    private WebDriverWait decoded(WebDriver driver, String query) {
        WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
        driver.get(root + "lens?" + query);
        wait.until(d -> d.findElement(By.cssSelector(".status")).getText().contains("All layers decoded"));
        return wait;
    }

    private static final String LONG_PROMPT = "The sky is blue. It is nice and the sun shines over the green hills today.";

    @Test
    void largeMapKeepsItsLabelsPinnedAndShowsAColourBar() throws Exception {
        WebDriver driver = chromium();
        try {
            driver.manage().window().setSize(new Dimension(1000, 560));
            decoded(driver, "model=gpt2-tiny&sub=1&metric=rank&prompt=" + LensLinks.enc(LONG_PROMPT));
            Object ticks = js(driver, "return document.querySelectorAll('.lens-pane .scale .ticks span').length");
            assertTrue(((Long) ticks) >= 2, "the colour bar has ticks: " + ticks);
            assertTrue(driver.findElement(By.cssSelector(".lens-pane .colour-bar")).getAttribute("style").contains("gradient"));
            @SuppressWarnings("unchecked")
            Map<String, Number> moved = (Map<String, Number>) js(driver, """
                    const box = document.querySelector('.table-box');
                    box.scrollTop = 150; box.scrollLeft = 300;
                    const b = box.getBoundingClientRect();
                    const head = document.querySelector('table.lens thead th.tok').getBoundingClientRect();
                    const label = document.querySelector('table.lens tbody th.layer').getBoundingClientRect();
                    return {scrollTop: box.scrollTop, scrollLeft: box.scrollLeft,
                            head: head.top - b.top, label: label.left - b.left};""");
            assertTrue(moved.get("scrollTop").doubleValue() > 0 && moved.get("scrollLeft").doubleValue() > 0, "the box scrolls: " + moved);
            assertTrue(Math.abs(moved.get("head").doubleValue()) <= 2, "the token header stays at the top: " + moved);
            assertTrue(Math.abs(moved.get("label").doubleValue()) <= 2, "the layer labels stay at the left: " + moved);
            screenshot(driver, "lens-scrolled.png");
            driver.manage().window().setSize(new Dimension(1200, 1000));
            js(driver, "document.querySelector('.table-box').scrollTo(0, 0); document.querySelector('.lens-pane .legend').scrollIntoView({block: 'end'})");
            screenshot(driver, "lens-colour-bar.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    /** Logit vs tuned on one prompt: both panes, and both sides' mean KL to the final layer on one chart (README screenshot). */
    @Test
    void logitVsTunedSideBySideDrawsBothKlCurvesOnOneChart() throws Exception {
        WebDriver driver = chromium();
        try {
            driver.manage().window().setSize(new Dimension(1200, 1400));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "compare?a=gpt2-tiny&b=gpt2-tiny&da=logit&db=" + LensLinks.enc("tuned:gpt2-tiny") + "&metric=kl_final&prompt="
                    + LensLinks.enc("The sky is blue. It is nice."));
            wait.until(d -> d.findElements(By.cssSelector(".compare .status .ok")).size() == 2);
            wait.until(d -> js(d, "const c = Chart.getChart(document.querySelector('.chart-both'));"
                    + " return !!c && c.data.datasets.length === 2 && c.data.datasets.every(s => s.data.length === 5 && s.data.every(Number.isFinite))")
                    .equals(Boolean.TRUE));
            assertEquals("mean KL(final ‖ layer), gpt2-tiny · tuned:gpt2-tiny",
                    js(driver, "return Chart.getChart(document.querySelector('.chart-both')).data.datasets[1].label"));
            assertEquals(0.0, ((Number) js(driver, "const s = Chart.getChart(document.querySelector('.chart-both')).data.datasets;"
                    + " return Math.abs(s[0].data[4] - s[1].data[4])")).doubleValue(), 1e-12, "both read the same output layer");
            js(driver, "document.querySelector('.chart-both').closest('.charts').previousElementSibling.scrollIntoView()");
            screenshot(driver, "logit-vs-tuned.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void comparePanesShareOneColourScaleAndRecolourAtOnce() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "compare?a=gpt2-tiny&b=gpt2-tiny:untrained&metric=prob&prompt=" + LensLinks.enc("The sky is blue. It is nice."));
            wait.until(d -> d.findElements(By.cssSelector(".compare .status .ok")).size() == 2);
            // One scale: ordered by value across both panes, the cells never get lighter as the value grows.
            String monotone = """
                    const cells = Array.from(document.querySelectorAll('.compare table.lens td[data-v]')).map(td => {
                      const [r, g, b] = getComputedStyle(td).backgroundColor.match(/\\d+/g).map(Number);
                      return {v: parseFloat(td.dataset.v), light: r + g + b};
                    }).sort((x, y) => x.v - y.v);
                    for (let i = 1; i < cells.length; i++) if (cells[i].light > cells[i - 1].light + 3) return JSON.stringify([cells[i - 1], cells[i]]);
                    return 'ok';""";
            assertEquals("ok", js(driver, monotone), "the same value gets the same colour in both panes");
            assertEquals(1L, js(driver, "return document.querySelectorAll('.scale.shared .colour-bar').length"));
            screenshot(driver, "compare-shared-scale.png");

            new Select(driver.findElement(By.cssSelector("form.compare-form select[name=metric]"))).selectByValue("entropy");
            wait.until(d -> d.findElements(By.cssSelector(".compare table.lens[data-metric='entropy']")).size() == 2);
            wait.until(d -> d.findElements(By.cssSelector(".compare .status .ok")).size() == 2);
            assertEquals("ok", js(driver, monotone), "still one scale after recolouring");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void backRestoresTheControlsToWhatTheTableShows() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = decoded(driver, "model=gpt2-tiny&metric=prob&prompt=" + LensLinks.enc("Back and forth we go."));
            new Select(driver.findElement(By.name("metric"))).selectByValue("entropy");
            wait.until(d -> d.getCurrentUrl().contains("metric=entropy"));
            wait.until(d -> !d.findElements(By.cssSelector("table.lens[data-metric='entropy']")).isEmpty());
            new Select(driver.findElement(By.name("metric"))).selectByValue("rank");
            wait.until(d -> d.getCurrentUrl().contains("metric=rank"));
            wait.until(d -> !d.findElements(By.cssSelector("table.lens[data-metric='rank']")).isEmpty());

            driver.navigate().back();
            wait.until(d -> d.getCurrentUrl().contains("metric=entropy"));
            wait.until(d -> !d.findElements(By.cssSelector("table.lens[data-metric='entropy']")).isEmpty());
            wait.until(d -> "entropy".equals(new Select(d.findElement(By.name("metric"))).getFirstSelectedOption().getAttribute("value")));
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void arrowKeysMoveAcrossTheMapAndEnterOpensACell() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = decoded(driver, "model=gpt2-tiny&prompt=" + LensLinks.enc("Keys move the focus."));
            assertEquals("0", driver.findElement(By.cssSelector("table.lens td[data-layer='0'][data-pos='0']")).getAttribute("tabindex"));
            js(driver, "document.querySelector(\"table.lens td[data-layer='0'][data-pos='0']\").focus()");
            String focused = "const a = document.activeElement; return a.dataset.layer + '/' + a.dataset.pos";
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
            assertEquals("0/1", js(driver, focused));
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
            assertEquals("1/1", js(driver, focused));
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_LEFT);
            assertEquals("1/0", js(driver, focused));
            driver.switchTo().activeElement().sendKeys(Keys.ENTER);
            wait.until(d -> d.findElement(By.cssSelector(".cell-detail")).getText().contains("blocks.0.hook_resid_post, position 0"));
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void phoneWidthHasNoHorizontalPageScroll() throws Exception {
        WebDriver driver = chromium();
        try {
            phone(driver);
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            String prompt = LensLinks.enc(LONG_PROMPT);
            for (String page : List.of("", "lens?model=gpt2-tiny&prompt=" + prompt,
                    "compare?a=gpt2-tiny&b=gpt2-tiny:untrained&prompt=" + prompt)) {
                driver.get(root + page);
                if (!page.isEmpty()) {
                    wait.until(d -> !d.findElements(By.cssSelector(".status .ok")).isEmpty());
                }
                Object width = js(driver, "return document.documentElement.scrollWidth");
                assertTrue(((Long) width) <= 390, "/" + page + " is " + width + " px wide at 390 px");
            }
            screenshot(driver, "phone-compare.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void onAPhoneATappedCellsDetailsOpenUnderTheCell() throws Exception {
        WebDriver driver = chromium();
        try {
            phone(driver);
            WebDriverWait wait = decoded(driver, "model=gpt2-tiny&prompt=" + LensLinks.enc(LONG_PROMPT));
            var cell = driver.findElement(By.cssSelector("table.lens td[data-layer='1'][data-pos='2']"));
            cell.click();
            wait.until(d -> d.findElement(By.cssSelector(".cell-detail")).getText().contains("rank of the true next token"));
            Object gap = js(driver, "const c = document.querySelector(\"table.lens td[data-layer='1'][data-pos='2']\").getBoundingClientRect();"
                    + " const d = document.querySelector('.cell-detail').getBoundingClientRect(); return Math.round(d.top - c.bottom);");
            assertTrue(((Long) gap) >= 0 && ((Long) gap) <= 20, "the details open just under the tapped cell: " + gap + " px below it");
            screenshot(driver, "phone-cell.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void lensByLayerCurvesAndAFollowedTokenHaveTheirNumbersInTables() throws Exception {
        WebDriver driver = chromium();
        try {
            driver.manage().window().setSize(new Dimension(1200, 900));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "lens?model=gpt2-tiny&prompt=" + LensLinks.enc("The sky is blue. It is nice."));
            wait.until(d -> js(d, "const c = Chart.getChart(document.querySelector('.chart-by-layer'));"
                    + " return !!c && c.data.datasets.length === 3 && c.data.datasets.every(s => s.data.length === 5 && s.data.every(Number.isFinite))")
                    .equals(Boolean.TRUE));
            assertEquals("rank of the true next token", js(driver,
                    "return Chart.getChart(document.querySelector('.chart-rank')).data.datasets[0].label"));
            // a token and a second one: the logit difference
            js(driver, "const f = document.querySelector('form.follow'); f.elements.b.selectedIndex = 2;");
            driver.findElement(By.cssSelector("form.follow button")).click();
            assertEquals("logit difference", js(driver, "return Chart.getChart(document.querySelector('.chart-follow')).data.datasets[0].label"));
            Object rows = js(driver, "return document.querySelectorAll('.chart-by-layer').length"
                    + " && document.querySelector('.chart-by-layer').closest('.chart-box').querySelectorAll('details.chart-data tbody tr').length");
            assertEquals(5L, rows, "the by-layer curves as a table, one row per layer");
            js(driver, "document.querySelector('.chart-by-layer').closest('.chart-box').querySelector('details').open = true;"
                    + " document.querySelector('.lens-pane h2').scrollIntoView()");
            screenshot(driver, "lens-by-layer.png");
            assertNoConsoleErrors(driver);

            driver.get(root.toString());
            List<String> ids = new Select(driver.findElement(By.cssSelector("form.prompt select[name=model]"))).getOptions().stream()
                    .map(o -> o.getAttribute("value")).toList();
            String chosen = new Select(driver.findElement(By.cssSelector("form.prompt select[name=model]"))).getFirstSelectedOption().getAttribute("value");
            assertEquals(ids.contains("stories260K") ? "stories260K" : chosen, chosen, "a fast trained model is the default");
            driver.findElement(By.cssSelector("button.example")).click();
            assertEquals(driver.findElement(By.cssSelector("button.example")).getText(),
                    driver.findElement(By.cssSelector("form.prompt textarea")).getAttribute("value"));
            screenshot(driver, "home.png");
        } finally {
            driver.quit();
        }
    }

    @Test
    void runsListShowsTimesInTheReadersTimeZone() throws Exception {
        WebDriver driver = chromium();
        try {
            String id = RunsApi.start("reconstruction", "gpt2-tiny", Map.of("prompt", "When?", "steps", 1));
            RunsApi.finished(id);
            driver.get(root + "runs");
            var time = driver.findElement(By.cssSelector("#run-list time"));
            assertTrue(time.getAttribute("title").endsWith("UTC"), "the server's UTC time is kept as the title");
            assertTrue(!time.getText().contains("UTC") && !time.getText().isBlank(), "shown in the reader's zone: " + time.getText());
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void typedNewlinesKeptFormValuesAndUnknownPagesAsAResearcherSeesThem() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            // A newline typed in the prompt box reaches the model as \n (shown ↵), never as \r\n (a ␍ token).
            driver.get(root.toString());
            new Select(driver.findElement(By.cssSelector("form.prompt select[name=model]"))).selectByValue("gpt2-tiny");
            WebElement box = driver.findElement(By.cssSelector("form.prompt textarea[name=prompt]"));
            box.clear();
            box.sendKeys("one\ntwo");
            driver.findElement(By.cssSelector("form.prompt button[type=submit]")).click();
            wait.until(d -> d.findElement(By.cssSelector(".status")).getText().contains("All layers decoded"));
            String heads = driver.findElement(By.cssSelector("table.lens thead")).getText();
            assertTrue(heads.contains("↵") && !heads.contains("␍"), "the newline is one \\n token: " + heads);

            // A refused run form keeps what was typed and says why next to it.
            driver.get(root + "runs");
            WebElement form = driver.findElement(By.cssSelector("details[open] form"));
            WebElement prompt = form.findElement(By.name("prompt"));
            prompt.clear();
            prompt.sendKeys("My own typed prompt");
            WebElement steps = form.findElement(By.name("steps"));
            steps.clear();
            steps.sendKeys("0");
            js(driver, "arguments[0].noValidate = true", form); // the browser's own range check would stop the post
            form.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(d -> !d.findElements(By.cssSelector("details[open] form .error")).isEmpty());
            WebElement refused = driver.findElement(By.cssSelector("details[open] form"));
            assertEquals("My own typed prompt", refused.findElement(By.name("prompt")).getAttribute("value"));
            assertEquals("0", refused.findElement(By.name("steps")).getAttribute("value"));
            assertTrue(refused.findElement(By.cssSelector(".error")).getText().contains("params.steps must be between 1 and 100000"));

            // An unknown run is a page in the site's layout with a way back, not raw JSON.
            driver.get(root + "runs/nope");
            assertTrue(driver.findElement(By.tagName("h1")).getText().contains("Not found"));
            assertTrue(driver.findElement(By.cssSelector("p.error")).getText().contains("no run 'nope'"));
            assertFalse(driver.findElements(By.cssSelector("a[href='/runs']")).isEmpty(), "a link back to the runs");
            screenshot(driver, "not-found.png");
        } finally {
            driver.quit();
        }
    }

    /** A 390 × 844 phone screen. */
    private static void phone(WebDriver driver) {
        ((org.openqa.selenium.chrome.ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
    }

    private static void screenshot(WebDriver driver, String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        assertNotNull(shot);
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
