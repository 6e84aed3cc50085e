package io.lensboard.web.why;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.testing.Chromium;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The attention page in headless Chromium (set up as BrowserTest is): opened from the lens page and from a lens cell,
 * every head drawn, one head large by click and by keyboard with its weights read out, one token's row and column
 * across all heads, and no horizontal scroll at phone width. Screenshots go to target/screenshots/.
 */
@QuarkusTest
@Tag("browser")
class AttentionBrowserTest {
    private static final String PROMPT = "The cat was happy. The cat";

    @TestHTTPResource("/")
    URL root;

    private static WebDriver chromium() throws java.io.IOException {
        return Chromium.start(1200, 1400);
    }

    @Test
    void lensPageOpensTheAttentionPageWhereEveryHeadIsDrawnAndReadable() throws Exception {
        WebDriver driver = chromium();
        try {
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "lens?model=stories260K&prompt=" + LensLinks.enc(PROMPT));
            wait.until(d -> !d.findElements(By.cssSelector(".status .ok")).isEmpty());
            driver.findElement(By.cssSelector(".exports a.attention-link")).click();
            wait.until(d -> d.getCurrentUrl().contains("/attention?model=stories260K"));
            List<WebElement> maps = driver.findElements(By.cssSelector("button.head-map"));
            assertEquals(5 * 8, maps.size(), "stories260K: 5 layers × 8 heads");
            // position 0 reads only itself: the top-left pixel of every small map is the darkest colour
            assertEquals(List.of(8L, 48L, 107L), js(driver, "return Array.from(document.querySelector('button.head-map canvas')"
                    + ".getContext('2d').getImageData(0, 0, 1, 1).data.slice(0, 3))"));

            WebElement head = driver.findElement(By.cssSelector("button.head-map[data-layer='2'][data-head='3']"));
            head.sendKeys(Keys.ENTER); // keyboard: Enter on a head opens it large and moves focus to the map
            wait.until(d -> d.findElement(By.id("one-head-title")).getText().equals("Layer 2, head 3"));
            assertEquals("true", head.getAttribute("aria-pressed"));
            assertEquals("big-map", driver.switchTo().activeElement().getAttribute("class"));
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
            wait.until(d -> d.findElement(By.id("big-value")).getText().startsWith("layer 2, head 3: query 1 "));
            driver.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT);
            assertTrue(driver.findElement(By.id("big-value")).getText().endsWith("0 (a later key: masked)"),
                    driver.findElement(By.id("big-value")).getText());

            maps.get(0).click();
            WebElement big = driver.findElement(By.cssSelector("canvas.big-map"));
            new Actions(driver).moveToElement(big, big.getSize().getWidth() / 2 - 3, big.getSize().getHeight() / 2 - 3).perform();
            wait.until(d -> d.findElement(By.id("big-value")).getText().startsWith("layer 0, head 0: query "));
            driver.findElement(By.cssSelector("button.head-map[data-layer='1'][data-head='0']")).click();
            js(driver, "window.scrollTo(0, 0)");
            screenshot(driver, "attention.png");

            int last = driver.findElements(By.cssSelector("select[name=pos] option")).size() - 1;
            new Select(driver.findElement(By.name("pos"))).selectByValue(String.valueOf(last));
            driver.findElement(By.cssSelector("input[name=direction][value=to]")).click();
            wait.until(d -> d.findElement(By.cssSelector(".strips h3")).getText().contains("who reads " + last));
            assertEquals(5, driver.findElements(By.cssSelector(".strips canvas")).size(), "one strip of heads per layer");
            screenshot(driver, "attention-token.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    @Test
    void aLensCellOpensTheAttentionPageAtItsPositionWithoutHorizontalScrollOnAPhone() throws Exception {
        WebDriver driver = chromium();
        try {
            ((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "lens?model=gpt2-tiny&prompt=" + LensLinks.enc(PROMPT));
            wait.until(d -> !d.findElements(By.cssSelector(".status .ok")).isEmpty());
            ((JavascriptExecutor) driver).executeScript("document.querySelector(\"table.lens td[data-layer='1'][data-pos='2']\").click()");
            wait.until(d -> !d.findElements(By.cssSelector(".cell-detail a.attention-link")).isEmpty());
            driver.get(driver.findElement(By.cssSelector(".cell-detail a.attention-link")).getAttribute("href"));
            wait.until(d -> !d.findElements(By.cssSelector(".strips canvas")).isEmpty());
            assertTrue(driver.getCurrentUrl().contains("&pos=2"), driver.getCurrentUrl());
            assertEquals("2", new Select(driver.findElement(By.name("pos"))).getFirstSelectedOption().getAttribute("value"));
            // the strips may be drawn again just after they first appear: wait for the heading rather than read it once
            wait.until(d -> d.findElement(By.cssSelector(".strips h3")).getText().contains("what 2 "));
            Object width = js(driver, "return document.documentElement.scrollWidth");
            assertTrue((Long) width <= 390, "/attention is " + width + " px wide at 390 px");
            screenshot(driver, "attention-phone.png");
            assertNoConsoleErrors(driver);
        } finally {
            driver.quit();
        }
    }

    private static Object js(WebDriver driver, String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
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
