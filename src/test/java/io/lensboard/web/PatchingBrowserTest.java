package io.lensboard.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.Chromium;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Activation patching in headless Chromium, from the lens page: "compare with" the twin, "patch between these prompts"
 * on the compare page, and the run page's heat map filling in live (every cell coloured, the differing positions
 * marked) until the result replaces it. The setup is BrowserTest's. Screenshot: target/screenshots/patching.png.
 */
@QuarkusTest
@Tag("browser")
class PatchingBrowserTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void patchesBetweenTwoPromptsFromTheLensPage() throws Exception {
        WebDriver driver = Chromium.start(1400, 1100);
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(180));
            driver.get(root + "lens?model=stories260K&prompt=" + URLEncoder.encode("The cat was happy. The cat", StandardCharsets.UTF_8));
            wait.until(d -> !d.findElements(By.cssSelector("button[form='compare-twin']")).isEmpty());
            driver.findElement(By.cssSelector("button[form='compare-twin']")).click();
            wait.until(d -> !d.findElements(By.cssSelector("details.patch-between summary")).isEmpty());
            driver.findElement(By.cssSelector("details.patch-between summary")).click();
            driver.findElement(By.name("corrupted")).sendKeys("The dog was happy. The dog");
            driver.findElement(By.name("answer")).sendKeys("and");
            driver.findElement(By.name("wrong")).sendKeys("li");
            new Select(driver.findElement(By.name("site"))).selectByVisibleText("resid_pre");
            driver.findElement(By.cssSelector("details.patch-between button[type='submit']")).click();
            wait.until(d -> d.getCurrentUrl().matches(".*/runs/\\w+$"));
            wait.until(d -> d.findElement(By.id("run-result")).getText().contains("Result"));
            assertEquals("done", driver.findElement(By.id("run-state")).getText());
            List<String> differs = driver.findElements(By.cssSelector("#run-result th.differs")).stream().map(e -> e.getText()).toList();
            assertEquals(List.of("·c", "at", "·c", "at", "·do", "g", "·do", "g"), differs, "the clean row, then the corrupted row");
            int cells = driver.findElements(By.cssSelector("#run-result .patching-grid .cell")).size();
            assertEquals(5 * 10, cells, "5 blocks × 10 positions");
            String colour = driver.findElement(By.cssSelector("#run-result .patching-grid tbody tr:first-child td:last-child .cell"))
                    .getCssValue("background-color");
            assertTrue(!colour.equals("rgba(0, 0, 0, 0)") && !colour.equals("rgb(238, 238, 238)"), "a coloured cell: " + colour);
            assertTrue(driver.findElement(By.cssSelector(".patching-live")).getCssValue("display").equals("none")
                    || driver.findElements(By.cssSelector(".patching-live")).isEmpty(), "one heat map once the result is in");
            screenshot(driver, "patching.png");
            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertTrue(errors.isEmpty(), "browser console errors: " + errors);
        } finally {
            driver.quit();
        }
    }

    private static void screenshot(WebDriver driver, String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        assertNotNull(shot);
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
