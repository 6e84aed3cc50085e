package io.lensboard.web;

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
import java.util.logging.Level;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Ablation from the lens page (issue 24 item 4), in headless Chromium as {@link BrowserTest} runs it: open the
 * ablate… control, tick block 3's and block 4's attention outputs, mean-ablate, then open the side-by-side with the
 * unablated lens and see both panes decoded (the README's screenshot, target/screenshots/ablation-side-by-side.png).
 */
@QuarkusTest
@Tag("browser")
class AblationBrowserTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void ablatesFromTheLensPageAndOpensTheSideBySide() throws Exception {
        WebDriver driver = Chromium.start(1400, 1100);
        try {
            driver.manage().window().setSize(new Dimension(1400, 1300));
            WebDriverWait wait = Chromium.waitFor(driver, Duration.ofSeconds(90));
            driver.get(root + "lens?model=stories260K&metric=prob&prompt=" + LensLinks.enc("The cat was happy. The cat"));
            wait.until(d -> d.findElements(By.cssSelector("#pane-main .status .ok")).size() == 1);

            driver.findElement(By.cssSelector("details.ablate summary")).click();
            driver.findElement(By.cssSelector("input[name=ablate][value='blocks.3.hook_attn_out']")).click();
            driver.findElement(By.cssSelector("input[name=ablate][value='blocks.4.hook_attn_out']")).click();
            new Select(driver.findElement(By.cssSelector(".ablate-form select[name=ablation]"))).selectByValue("mean");
            driver.findElement(By.cssSelector(".ablate-form button[type=submit]")).click();
            wait.until(d -> d.findElement(By.cssSelector("details.ablate summary")).getText().contains("mean-ablated: 2 components"));
            assertTrue(driver.getCurrentUrl().matches(".*/lens/[\\w-]+$"), "the ablated lens has a short link: " + driver.getCurrentUrl());
            wait.until(d -> d.findElements(By.cssSelector("#pane-main .status .ok")).size() == 1);

            driver.findElement(By.linkText("side by side with the unablated lens")).click();
            wait.until(d -> d.findElements(By.cssSelector(".compare .status .ok")).size() == 2);
            List<String> headings = driver.findElements(By.cssSelector(".compare > section > h2")).stream().map(e -> e.getText()).toList();
            assertEquals("stories260K · logit", headings.get(0));
            assertEquals("stories260K · logit · mean-ablated blocks.3.hook_attn_out,blocks.4.hook_attn_out", headings.get(1));
            ((JavascriptExecutor) driver).executeScript("document.querySelector('.compare').scrollIntoView()");
            screenshot(driver, "ablation-side-by-side.png");
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
