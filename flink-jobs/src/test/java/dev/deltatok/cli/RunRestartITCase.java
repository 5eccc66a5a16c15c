package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.job.RestorePoint;
import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deltatok run} as a process (real broker, MiniCluster, default ONNX model) stopped
 * mid-stream, by {@code kill -9} or by SIGTERM, and started again with the same command: a
 * read_committed consumer sees every camera's deltas continue, each frame once, in order.
 */
@Timeout(900)
class RunRestartITCase {

    private static final int CAMERAS = 4;
    private static final int ROUNDS = 120;
    private static final Duration PATIENCE = Duration.ofSeconds(300);

    private static KafkaBroker broker;

    @TempDir Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void resumesFromTheRetainedCheckpointAfterKillMinus9() throws Exception {
        String secondStart = restartMidStream(false);
        assertThat(secondStart).contains("deltatok: resuming from checkpoint");
    }

    @Test
    void stopsWithASavepointOnSigtermAndResumesFromIt() throws Exception {
        String secondStart = restartMidStream(true);
        assertThat(secondStart).contains("deltatok: resuming from savepoint");
    }

    /**
     * Runs the job, stops it once some deltas are committed while cameras still publish, publishes
     * more frames while it is down, starts it again with the same command and checks the whole
     * stream. Returns the second run's log.
     */
    private String restartMidStream(boolean sigterm) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String frames = "frames-" + id;
        String deltas = "deltas-" + id;
        Topics.ensure(
                broker.bootstrapServers(), List.of(frames, deltas, "rejected-" + id), 4, true);
        Path checkpoints = tmp.resolve("checkpoints");
        List<String> args =
                List.of(
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--kafka.frames-topic",
                        frames,
                        "--kafka.deltas-topic",
                        deltas,
                        "--kafka.rejected-topic",
                        "rejected-" + id,
                        "--kafka.group-id",
                        "g-" + id,
                        "--kafka.transactional-id-prefix",
                        "tx-" + id,
                        "--checkpoint.dir",
                        checkpoints.toUri().toString(),
                        "--checkpoint.interval",
                        "1s",
                        "--parallelism",
                        "2",
                        "--shutdown-timeout",
                        "120s",
                        // a restarted job catches up on a backlog: every frame must still be
                        // tokenized, none coalesced away as overload
                        "--tokenizer.overload-policy",
                        "OFF");
        Path firstLog = tmp.resolve("run-1.log");
        Path secondLog = tmp.resolve("run-2.log");
        try (CameraFeed feed = new CameraFeed(broker.bootstrapServers(), frames, CAMERAS);
                DeltaCollector collector = new DeltaCollector(broker.bootstrapServers(), deltas)) {
            try (RunProcess first = RunProcess.start(args, firstLog)) {
                // cameras publish while the first run works; it is stopped mid-stream, once
                // checkpoints committed some of their deltas
                Thread cameras =
                        new Thread(
                                () -> {
                                    try {
                                        feed.sendUntil(ROUNDS / 2, 50);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                });
                cameras.start();
                awaitDeltas(collector, CAMERAS * 20, first, "deltas of the first run");
                if (sigterm) {
                    first.terminate();
                    int exit = first.awaitExit(Duration.ofSeconds(180));
                    assertThat(exit).as("exit status after SIGTERM\n" + first.logTail()).isZero();
                    assertThat(first.log().contains("deltatok: stopped; savepoint "))
                            .as(
                                    "the first run says it stopped with a savepoint\n"
                                            + first.logTail())
                            .isTrue();
                    assertThat(RestorePoint.latest(checkpoints.toUri().toString()))
                            .hasValueSatisfying(
                                    p ->
                                            assertThat(p.kind())
                                                    .isEqualTo(RestorePoint.Kind.SAVEPOINT));
                } else {
                    first.kill();
                }
                cameras.join();
            }
            int seenWhenStopped = collector.count();
            // frames that come while the job is down
            feed.sendUntil(ROUNDS * 3 / 4, 0);
            feed.flush();
            try (RunProcess second = RunProcess.start(args, secondLog)) {
                feed.sendUntil(ROUNDS, 50);
                feed.flush();
                awaitDeltas(collector, feed.frames(), second, "every frame's delta");
                // a duplicate would arrive after the last expected delta: give it time to show
                Thread.sleep(3000);
                System.out.printf(
                        "run restart (%s): %d deltas before the stop, %d in all%n",
                        sigterm ? "SIGTERM" : "kill -9", seenWhenStopped, collector.count());
                feed.assertExactlyOnceInOrder(collector.deltas());
                assertThat(collector.count()).isEqualTo(feed.frames());
                String log = second.log();
                second.terminate();
                second.awaitExit(Duration.ofSeconds(180));
                return log.substring(log.lastIndexOf("=== deltatok run"));
            }
        }
    }

    private static void awaitDeltas(DeltaCollector collector, int n, RunProcess run, String what)
            throws InterruptedException {
        DeltaCollector.await(
                () -> {
                    if (!run.isAlive()) {
                        throw new AssertionError("deltatok run exited:\n" + run.logTail());
                    }
                    return collector.count() >= n;
                },
                PATIENCE,
                () ->
                        what
                                + ": "
                                + n
                                + " deltas (have "
                                + collector.count()
                                + ")\n"
                                + run.logTail());
    }
}
