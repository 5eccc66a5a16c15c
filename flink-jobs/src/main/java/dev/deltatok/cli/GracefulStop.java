package dev.deltatok.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Stops {@code deltatok run}'s job with a savepoint on SIGTERM or Ctrl-C (SIGINT), waiting at most
 * a timeout before cancelling it.
 *
 * <p>It handles the signals itself instead of in a JVM shutdown hook: shutdown hooks run
 * concurrently, and the MiniCluster's own (blob server, temporary and local-state folders) would
 * tear it down while the savepoint is still being written. Only after the job stopped does the
 * command return and the JVM exit. A second signal while stopping exits at once; the checkpoints
 * stay. Where the signals cannot be handled (e.g. {@code -Xrs}), a shutdown hook tries the same.
 */
final class GracefulStop {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    /** Exit status when the job stopped with a savepoint (or was cancelled without a folder). */
    static final int STOPPED = 0;

    /** Exit status when the savepoint failed or timed out and the job was cancelled instead. */
    static final int CANCELLED = 1;

    private final JobClient job;
    private final String savepointDir;
    private final Duration timeout;
    private final PrintWriter err;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

    private GracefulStop(JobClient job, String savepointDir, Duration timeout, PrintWriter err) {
        this.job = job;
        this.savepointDir = savepointDir;
        this.timeout = timeout;
        this.err = err;
    }

    /**
     * Handles SIGTERM and SIGINT for {@code job}: a savepoint into {@code savepointDir} (null:
     * cancel only), bounded by {@code timeout}.
     */
    static GracefulStop install(
            JobClient job, String savepointDir, Duration timeout, PrintWriter err) {
        GracefulStop stop = new GracefulStop(job, savepointDir, timeout, err);
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), signal -> stop.onSignal("SIG" + signal.getName()));
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn(
                    "Cannot handle SIGTERM/SIGINT ({}); stopping from a shutdown hook instead",
                    e.toString());
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(() -> stop.onSignal("shutdown"), "deltatok-stop-hook"));
        }
        return stop;
    }

    boolean requested() {
        return requested.get();
    }

    /** The exit status once the stop finished. */
    int awaitExitCode() throws InterruptedException {
        try {
            return exitCode.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return CANCELLED;
        }
    }

    private void onSignal(String what) {
        if (!requested.compareAndSet(false, true)) {
            err.printf("deltatok: %s again: exiting now; the latest checkpoint stays%n", what);
            err.flush();
            Runtime.getRuntime().halt(130);
            return;
        }
        exitCode.complete(stop(what));
    }

    private int stop(String what) {
        if (savepointDir == null) {
            err.printf("deltatok: %s: cancelling the job (no --checkpoint.dir)%n", what);
            err.flush();
            return cancel() ? STOPPED : CANCELLED;
        }
        err.printf(
                "deltatok: %s: stopping with a savepoint into %s (at most %s)%n",
                what, savepointDir, timeout);
        err.flush();
        try {
            String path =
                    job.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            err.printf("deltatok: stopped; savepoint %s; the next start resumes from it%n", path);
            err.flush();
            return STOPPED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            err.printf(
                    "deltatok: no savepoint (%s); cancelling; the next start resumes from the"
                            + " latest retained checkpoint%n",
                    rootMessage(e));
            err.flush();
        }
        cancel();
        return CANCELLED;
    }

    private boolean cancel() {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            LOG.warn("Cancelling job {} failed: {}", job.getJobID(), rootMessage(e));
            return false;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root instanceof java.util.concurrent.TimeoutException
                ? "timed out"
                : root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
