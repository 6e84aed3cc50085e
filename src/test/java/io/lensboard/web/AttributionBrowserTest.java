package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.Chromium;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * From a lens cell to "why this token?" in headless Chromium (the setup is BrowserTest's): the attribution page draws
 * one bar per component kind over the layers, its tooltip names the promoted tokens, its numbers' table has a row per
 * component, and the console stays free of errors. The screenshot (target/screenshots/attribution.png) is the README's.
 */
@QuarkusTest
@Tag("browser")
class AttributionBrowserTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void aLensCellsWhyThisTokenOpensTheAttributionChart() throws Exception {
        WebDriver driver = Chromium.start(1400, 1100);
        try {
            driver.get(root + "lens?model=gpt2-tiny&prompt=The%20cat%20was%20happy.%20The%20cat&metric=prob");
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            wait.until(d -> d.findElements(By.cssSelector("table.lens tbody tr")).size() == 5);
            driver.findElement(By.cssSelector("table.lens td[data-layer='4'][data-pos='5']")).click();
            wait.until(d -> !d.findElements(By.cssSelector(".cell-detail a.why-token")).isEmpty());
            driver.findElement(By.cssSelector(".cell-detail a.why-token")).click();
            wait.until(d -> d.getCurrentUrl().contains("/attribution?"));
            wait.until(d -> ((JavascriptExecutor) d).executeScript(
                    "return !!(window.Chart && Chart.getChart(document.querySelector('canvas.attribution-chart')))").equals(true));
            JavascriptExecutor js = (JavascriptExecutor) driver;
            List<?> labels = (List<?>) js.executeScript(
                    "return Chart.getChart(document.querySelector('canvas.attribution-chart')).data.labels");
            assertEquals(List.of("embed", "block 0", "block 1", "block 2", "block 3"), labels);
            List<?> kinds = (List<?>) js.executeScript("return Chart.getChart(document.querySelector('canvas.attribution-chart'))"
                    + ".data.datasets.map(d => d.label + '/' + d.stack)");
            assertEquals(List.of("hook_embed/attn", "hook_pos_embed/attn", "head 0/attn", "head 1/attn", "head 2/attn",
                    "head 3/attn", "b_O/attn", "MLP/mlp"), kinds);
            // hover block 2's MLP bar: its tooltip names the component and what it promotes
            Object tooltip = js.executeScript("const c = Chart.getChart(document.querySelector('canvas.attribution-chart'));"
                    + "const i = c.data.datasets.findIndex(d => d.label === 'MLP'); const bar = c.getDatasetMeta(i).data[3];"
                    + "c.tooltip.setActiveElements([{ datasetIndex: i, index: 3 }], { x: bar.x, y: bar.y }); c.update();"
                    + "return [c.tooltip.body.map(b => b.lines.join(' ')).join(' '), c.tooltip.body.map(b => b.after.join(' ')).join(' ')];");
            String shown = String.valueOf(tooltip);
            assertTrue(shown.contains("blocks.2.hook_mlp_out") && shown.contains("promotes") && shown.contains("suppresses"), shown);
            screenshot(driver, "attribution.png");
            driver.findElement(By.cssSelector("details.chart-data summary")).click();
            assertEquals(2 + 4 * 6, driver.findElements(By.cssSelector("table.attribution-table tbody tr")).size());
            assertTrue(driver.findElement(By.cssSelector(".attribution-summary")).getText().contains("as the lens reports it"));
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    private static void assertNoConsoleErrors(WebDriver driver) {
        List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertTrue(errors.isEmpty(), "browser console errors: " + errors);
    }

    private static void screenshot(WebDriver driver, String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        assertNotNull(shot);
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
