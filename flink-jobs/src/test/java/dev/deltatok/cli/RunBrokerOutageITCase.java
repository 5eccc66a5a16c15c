package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.kafka.KafkaBroker;
import dev.deltatok.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker goes away for a while (default 30 s, {@code -Ddeltatok.outage.seconds=N}) under
 * a running {@code deltatok run} while cameras keep publishing, and comes back on the same data
 * folder and port: the job recovers by itself, exactly once, and the test prints how long after the
 * broker was back the first new delta was committed.
 */
@Timeout(900)
class RunBrokerOutageITCase {

    private static final int CAMERAS = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(300);
    private static final Pattern RESTARTS =
            Pattern.compile("switched from state \\w+ to RESTARTING");

    @TempDir Path tmp;

    @Test
    void ridesOutABrokerOutageExactlyOnce() throws Exception {
        Duration outage = Duration.ofSeconds(Long.getLong("deltatok.outage.seconds", 30));
        try (KafkaBroker broker = KafkaBroker.start()) {
            String id = UUID.randomUUID().toString().substring(0, 8);
            String frames = "frames-" + id;
            String deltas = "deltas-" + id;
            Topics.ensure(
                    broker.bootstrapServers(), List.of(frames, deltas, "rejected-" + id), 4, true);
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
                            tmp.resolve("checkpoints").toUri().toString(),
                            "--checkpoint.interval",
                            "1s",
                            "--parallelism",
                            "2",
                            "--tokenizer.overload-policy",
                            "OFF");
            AtomicBoolean publishing = new AtomicBoolean(true);
            try (CameraFeed feed = new CameraFeed(broker.bootstrapServers(), frames, CAMERAS);
                    DeltaCollector collector =
                            new DeltaCollector(broker.bootstrapServers(), deltas);
                    RunProcess run = RunProcess.start(args, tmp.resolve("run.log"))) {
                // cameras at 10 fps each, through the outage (the producer buffers meanwhile)
                Thread cameras =
                        new Thread(
                                () -> {
                                    try {
                                        while (publishing.get()) {
                                            feed.sendRound();
                                            Thread.sleep(100);
                                        }
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                });
                cameras.start();
                await(collector, run, () -> collector.count() >= CAMERAS * 20, "first deltas");

                long stopping = System.nanoTime();
                broker.stop();
                long down = System.nanoTime();
                Thread.sleep(outage.toMillis()); // the outage itself, not a wait for a result
                broker.restart();
                long back = System.nanoTime();
                int roundsAtBack = feed.rounds();
                System.out.printf(
                        "broker outage: stop took %d ms, down %d ms, restart until serving %d ms%n",
                        (down - stopping) / 1_000_000,
                        outage.toMillis(),
                        (back - down) / 1_000_000 - outage.toMillis());

                await(
                        collector,
                        run,
                        () -> collector.arrivals().stream().anyMatch(a -> a.nanos() > back),
                        "a delta committed after the broker came back");
                long firstNew =
                        collector.arrivals().stream()
                                .mapToLong(DeltaCollector.Arrival::nanos)
                                .filter(n -> n > back)
                                .min()
                                .orElseThrow();
                // cameras go on for 50 more rounds, then stop; every frame must come out once
                await(
                        collector,
                        run,
                        () -> feed.rounds() >= roundsAtBack + 50,
                        "50 rounds of frames after the outage");
                publishing.set(false);
                cameras.join();
                feed.flush();
                await(
                        collector,
                        run,
                        () -> collector.count() >= feed.frames(),
                        "every frame's delta (" + feed.frames() + ")");
                long caughtUp = System.nanoTime();
                // a duplicate would arrive after the last expected delta: give it time to show
                Thread.sleep(3000);

                Matcher restarts = RESTARTS.matcher(run.log());
                int restartCount = 0;
                while (restarts.find()) {
                    restartCount++;
                }
                System.out.printf(
                        "broker outage of %d s: first new committed delta %d ms after the broker"
                                + " was back; all %d frames' deltas %d ms after; Flink job"
                                + " restarts: %d%n",
                        outage.toSeconds(),
                        (firstNew - back) / 1_000_000,
                        feed.frames(),
                        (caughtUp - back) / 1_000_000,
                        restartCount);
                // the job's status changes are in its log, so a restart would be counted
                assertThat(
                                Pattern.compile("switched from state \\w+ to RUNNING")
                                        .matcher(run.log())
                                        .find())
                        .as("the job's status changes are logged\n" + run.logTail())
                        .isTrue();
                feed.assertExactlyOnceInOrder(collector.deltas());
                assertThat(collector.count()).isEqualTo(feed.frames());
                assertThat(run.isAlive()).as("the job outlived the outage").isTrue();
                run.terminate();
                run.awaitExit(Duration.ofSeconds(180));
            } finally {
                publishing.set(false);
                keepForInspection(broker.logFile(), "outage-broker.log");
                keepForInspection(tmp.resolve("run.log"), "outage-run.log");
            }
        }
    }

    private static void await(
            DeltaCollector collector,
            RunProcess run,
            java.util.function.BooleanSupplier condition,
            String what)
            throws InterruptedException {
        DeltaCollector.await(
                () -> {
                    if (!run.isAlive()) {
                        throw new AssertionError("deltatok run exited:\n" + run.logTail());
                    }
                    return condition.getAsBoolean();
                },
                PATIENCE,
                () -> what + " (deltas: " + collector.count() + ")\n" + run.logTail());
    }

    /** Copies a log into {@code target/} (the test's folders are removed afterwards). */
    private static void keepForInspection(Path log, String name) {
        try {
            java.nio.file.Files.copy(
                    log,
                    Path.of("target", name),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            System.out.printf("could not keep %s: %s%n", log, e);
        }
    }
}
