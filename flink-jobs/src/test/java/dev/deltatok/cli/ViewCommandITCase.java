package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code deltatok view} over deltas of the default model, through a real broker, over HTTP. */
@Timeout(180)
class ViewCommandITCase {

    private static final int FRAMES = 20;
    private static KafkaBroker broker;
    private static String topic;
    private static String framesTopic;
    private static Frame lastJpegOfCamA;

    @BeforeAll
    static void publishDeltas() throws Exception {
        broker = KafkaBroker.start();
        topic = "deltas-" + UUID.randomUUID();
        framesTopic = "frames-" + UUID.randomUUID();
        Topics.ensure(broker.bootstrapServers(), List.of(topic, framesTopic), 4, true);
        // What cameras sent: cam-a JPEG at 320x240, cam-b raw RGB24 at 1280x720.
        try (KafkaProducer<String, Frame> frames =
                Clients.frameProducer(broker.bootstrapServers())) {
            for (long seq = 0; seq < FRAMES; seq++) {
                lastJpegOfCamA = SourcePicturesTest.SourceFrames.jpeg("cam-a", seq, 320, 240);
                frames.send(new ProducerRecord<>(framesTopic, "cam-a", lastJpegOfCamA));
            }
            for (long seq = 0; seq < 3; seq++) {
                frames.send(
                        new ProducerRecord<>(
                                framesTopic,
                                "cam-b",
                                SourcePicturesTest.SourceFrames.raw("cam-b", seq, 1280, 720)));
            }
            frames.flush();
        }
        try (OnnxTokenizerModel model =
                        OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT);
                KafkaProducer<String, TokenDelta> producer =
                        Clients.deltaProducer(broker.bootstrapServers())) {
            TokenizerCore tokenizer = new TokenizerCore(model, TokenizerSettings.defaults());
            for (String camera : List.of("cam-a", "cam-b")) {
                CameraState state = tokenizer.newState(camera);
                SyntheticScene scene =
                        SyntheticScenes.create(
                                "corridor", SyntheticScenes.seedFor(camera), 256, 256);
                for (long seq = 0; seq < FRAMES; seq++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    camera,
                                    tokenizer
                                            .process(state, scene.frame(camera, seq), Instant.EPOCH)
                                            .delta()));
                }
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void servesThePageCameraListAndReconstructions() throws Exception {
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
                                                "90s"));
        HttpClient http = HttpClient.newHttpClient();
        java.util.regex.Pattern url = java.util.regex.Pattern.compile("http://127.0.0.1:(\\d+)/");
        String base = null;
        JsonNode cameras = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            java.util.regex.Matcher m = url.matcher(err.toString());
            if (base == null && m.find()) {
                base = "http://127.0.0.1:" + m.group(1);
            }
            if (base == null) {
                Thread.sleep(300);
                continue;
            }
            try {
                cameras = new ObjectMapper().readTree(get(http, base + "/api/cameras").body());
                if (cameras.size() == 2
                        && cameras.get(0).path("deltas").asInt() == FRAMES
                        && cameras.get(1).path("deltas").asInt() == FRAMES
                        && sourceSeq(cameras, "cam-a") == FRAMES - 1
                        && sourceSeq(cameras, "cam-b") == 2) {
                    break;
                }
            } catch (java.io.IOException notYet) {
                // server not up yet
            }
            Thread.sleep(300);
        }
        assertThat(cameras).as(err.toString()).isNotNull();
        assertThat(cameras.findValuesAsText("id")).containsExactlyInAnyOrder("cam-a", "cam-b");
        assertThat(cameras.get(0).path("synced").asBoolean()).isTrue();
        assertThat(cameras.get(0).path("heat")).hasSize(256);
        assertThat(cameras.get(0).path("tokens")).hasSize(FRAMES);

        HttpResponse<byte[]> page = get(http, base + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(new String(page.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("deltatok")
                .contains("/api/cameras")
                .doesNotContain("http://")
                .doesNotContain("https://");

        HttpResponse<byte[]> png = get(http, base + "/camera/cam-a.png");
        assertThat(png.statusCode()).isEqualTo(200);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertThat(image.getWidth()).isEqualTo(256);
        assertThat(get(http, base + "/camera/nobody.png").statusCode()).isEqualTo(404);

        // The source pane: JPEG as the camera sent it, raw converted and scaled down.
        HttpResponse<byte[]> jpeg = get(http, base + "/source/cam-a");
        assertThat(jpeg.statusCode()).isEqualTo(200);
        assertThat(jpeg.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(jpeg.headers().firstValue("X-Frame-Seq")).hasValue(Long.toString(FRAMES - 1));
        assertThat(jpeg.body()).isEqualTo(lastJpegOfCamA.getData().array());
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(jpeg.body()));
        assertThat(source.getWidth()).isEqualTo(320);
        assertThat(source.getHeight()).isEqualTo(240);
        HttpResponse<byte[]> raw = get(http, base + "/source/cam-b");
        assertThat(raw.statusCode()).isEqualTo(200);
        BufferedImage converted = ImageIO.read(new ByteArrayInputStream(raw.body()));
        assertThat(converted.getWidth()).isEqualTo(SourcePictures.MAX_SIDE);
        assertThat(converted.getHeight()).isEqualTo(360);
        JsonNode camB = camera(cameras, "cam-b").path("source");
        assertThat(camB.path("width").asInt()).isEqualTo(1280);
        assertThat(camB.path("format").asText()).isEqualTo("RGB24");
        assertThat(get(http, base + "/source/nobody").statusCode()).isEqualTo(404);
        assertThat(view.get()).isZero();
    }

    @Test
    void portInUseSaysWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            int exit =
                    DeltatokCli.commandLine()
                            .setErr(new PrintWriter(err))
                            .execute(
                                    "view",
                                    "--bootstrap-servers",
                                    broker.bootstrapServers(),
                                    "--topic",
                                    topic,
                                    "--port",
                                    Integer.toString(taken.getLocalPort()));
            assertThat(exit).isNotZero();
            assertThat(err.toString()).contains("is not available").contains("--port");
        }
    }

    private static JsonNode camera(JsonNode cameras, String id) {
        for (JsonNode c : cameras) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static long sourceSeq(JsonNode cameras, String id) {
        return camera(cameras, id).path("source").path("seq").asLong(-1);
    }

    private static HttpResponse<byte[]> get(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
