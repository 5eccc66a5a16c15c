package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.core.TokenizerCore;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.kafka.Clients;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code deltatok view} in a real headless browser (Debian's chromium driven by its chromedriver):
 * the page loads, lists each camera, and its reconstruction updates as deltas arrive. {@code
 * .ci/run} installs chromium and chromium-driver when they are missing.
 */
@Timeout(240)
class ViewerBrowserITCase {

    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");
    private static KafkaBroker broker;
    private static String topic;
    private static String framesTopic;
    private static OnnxTokenizerModel model;
    private static TokenizerCore tokenizer;
    private static final Map<String, CameraState> STATES = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        topic = "deltas-" + UUID.randomUUID();
        framesTopic = "frames-" + UUID.randomUUID();
        Topics.ensure(broker.bootstrapServers(), List.of(topic, framesTopic), 2, true);
        model = OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
        tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
        CAMERAS.forEach(c -> STATES.put(c, tokenizer.newState(c)));
    }

    @AfterAll
    static void stop() {
        if (model != null) {
            model.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void pageListsEveryCameraAndItsPictureUpdates() throws Exception {
        publish(0, 5);
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> view =
                CompletableFuture.supplyAsync(
                        () ->
                                DeltatokCli.commandLine()
                                        .setErr(new PrintWriter(err))
                                        .execute(
                                                "view",
                                                "--bootstrap-servers",
                                                broker.bootstrapServers(),
                                                "--topic",
                                                topic,
                                                "--frames-topic",
                                                framesTopic,
                                                "--from-beginning",
                                                "--port",
                                                "0",
                                                "--exit-after",
                                                "120s"));
        String base = awaitUrl(err);

        ChromeDriver browser = chromium();
        try {
            browser.get(base);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.until(d -> d.findElements(By.cssSelector("#cameras h2")).size() == CAMERAS.size());
            assertThat(browser.findElements(By.cssSelector("#cameras h2")))
                    .extracting(WebElement::getText)
                    .allSatisfy(t -> assertThat(CAMERAS).anyMatch(t::contains));
            wait.until(d -> seqOf(d, "cam-a") == 4 && pictureLoaded(d, "cam-a"));
            String before = img(browser, "cam-a").getAttribute("src");
            // The source pane shows the camera's latest frame as it came (JPEG, 320x240).
            wait.until(d -> sourceSeqOf(d, "cam-a") == 4 && sourceWidth(d, "cam-a") == 320);
            assertThat(source(browser, "cam-a").isDisplayed()).isTrue();

            publish(5, 12);
            wait.until(d -> seqOf(d, "cam-a") == 11 && pictureLoaded(d, "cam-a"));
            wait.until(d -> seqOf(d, "cam-b") == 11 && pictureLoaded(d, "cam-b"));
            assertThat(img(browser, "cam-a").getAttribute("src")).isNotEqualTo(before);
            wait.until(d -> sourceSeqOf(d, "cam-b") == 11 && sourceWidth(d, "cam-b") == 320);

            Path shot = Path.of("target", "viewer.png");
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            assertThat(Files.size(shot)).isPositive();
        } finally {
            browser.quit();
        }
        // The server stops by itself (--exit-after); its thread does not hold the JVM.
        assertThat(view).isNotCompletedExceptionally();
    }

    private static ChromeDriver chromium() {
        Path chromedriver = Path.of("/usr/bin/chromedriver");
        Path chromium = Path.of("/usr/bin/chromium");
        assertThat(chromedriver)
                .as("chromium-driver is installed (apt-get install chromium chromium-driver)")
                .exists();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,900",
                "--user-data-dir=" + tempDir());
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(chromedriver.toFile())
                        .usingAnyFreePort()
                        .build();
        return new ChromeDriver(service, options);
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("deltatok-chromium-").toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static WebElement img(org.openqa.selenium.WebDriver d, String camera) {
        return element(d, camera, "img.reconstruction");
    }

    private static WebElement source(org.openqa.selenium.WebDriver d, String camera) {
        return element(d, camera, "img.source");
    }

    private static WebElement element(
            org.openqa.selenium.WebDriver d, String camera, String selector) {
        for (WebElement section : d.findElements(By.cssSelector("#cameras > div"))) {
            if (section.findElement(By.tagName("h2")).getText().contains(camera)) {
                return section.findElement(By.cssSelector(selector));
            }
        }
        throw new org.openqa.selenium.NoSuchElementException(camera);
    }

    private static long sourceSeqOf(org.openqa.selenium.WebDriver d, String camera) {
        try {
            String seq = source(d, camera).getAttribute("data-seq");
            return seq == null || seq.isEmpty() ? -1 : Long.parseLong(seq);
        } catch (org.openqa.selenium.NoSuchElementException e) {
            return -1;
        }
    }

    /** The natural width of the camera's loaded source picture, 0 while none is loaded. */
    private static int sourceWidth(org.openqa.selenium.WebDriver d, String camera) {
        Object width =
                ((JavascriptExecutor) d)
                        .executeScript(
                                "return arguments[0].complete ? arguments[0].naturalWidth : 0;",
                                source(d, camera));
        return width instanceof Number n ? n.intValue() : 0;
    }

    private static long seqOf(org.openqa.selenium.WebDriver d, String camera) {
        try {
            String seq = img(d, camera).getAttribute("data-seq");
            return seq == null || seq.isEmpty() ? -1 : Long.parseLong(seq);
        } catch (org.openqa.selenium.NoSuchElementException e) {
            return -1;
        }
    }

    private static boolean pictureLoaded(org.openqa.selenium.WebDriver d, String camera) {
        Object width =
                ((JavascriptExecutor) d)
                        .executeScript(
                                "return arguments[0].complete ? arguments[0].naturalWidth : 0;",
                                img(d, camera));
        return width instanceof Number n && n.intValue() > 0;
    }

    /**
     * Publishes frames [from, to) of each camera as 320x240 JPEG to the frames topic, tokenises
     * them offline at 256x256 and publishes their deltas.
     */
    private static void publish(long from, long to) {
        try (KafkaProducer<String, TokenDelta> producer =
                        Clients.deltaProducer(broker.bootstrapServers());
                KafkaProducer<String, Frame> frames =
                        Clients.frameProducer(broker.bootstrapServers())) {
            for (String camera : CAMERAS) {
                for (long seq = from; seq < to; seq++) {
                    frames.send(
                            new ProducerRecord<>(
                                    framesTopic,
                                    camera,
                                    SourcePicturesTest.SourceFrames.jpeg(camera, seq, 320, 240)));
                }
                SyntheticScene scene =
                        SyntheticScenes.create(
                                "corridor", SyntheticScenes.seedFor(camera), 256, 256);
                for (long seq = from; seq < to; seq++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    camera,
                                    tokenizer
                                            .process(
                                                    STATES.get(camera),
                                                    scene.frame(camera, seq),
                                                    Instant.EPOCH)
                                            .delta()));
                }
            }
            producer.flush();
            frames.flush();
        }
    }

    private static String awaitUrl(StringWriter err) throws InterruptedException {
        Pattern url = Pattern.compile("http://127.0.0.1:(\\d+)/");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Matcher m = url.matcher(err.toString());
            if (m.find()) {
                return "http://127.0.0.1:" + m.group(1) + "/";
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("view did not print its URL: " + err);
    }
}
