package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deltatok.net.ListeningSockets;
import dev.deltatok.net.ListeningSockets.Listener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * While {@code deltatok demo --view} runs (its broker, the MiniCluster's REST endpoint, blob server
 * and RPC, the viewer), every socket this JVM and its child processes listen on is on loopback.
 */
@Timeout(300)
class DemoLoopbackITCase {

    @Test
    void demoListensOnLoopbackOnly() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        long self = ProcessHandle.current().pid();
        Set<Listener> before = Set.copyOf(ListeningSockets.ofThisProcessAndDescendants());

        CompletableFuture<Integer> demo =
                CompletableFuture.supplyAsync(
                        () ->
                                cli.execute(
                                        "demo",
                                        "--cameras",
                                        "1",
                                        "--fps",
                                        "5",
                                        "--seconds",
                                        "12",
                                        "--view",
                                        "--view-port",
                                        "0"));
        Set<Listener> seen = ConcurrentHashMap.newKeySet();
        while (!demo.isDone()) {
            seen.addAll(ListeningSockets.ofThisProcessAndDescendants());
            Thread.sleep(250);
        }

        assertThat(demo.get(10, TimeUnit.SECONDS)).as(err.toString()).isZero();
        seen.removeAll(before);
        // the broker's client and controller listeners (child JVM); in this JVM the REST
        // endpoint, the blob server and the viewer
        assertThat(seen.stream().filter(l -> l.pid() != self))
                .as(seen.toString())
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(seen.stream().filter(l -> l.pid() == self))
                .as(seen.toString())
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(seen)
                .allSatisfy(
                        l ->
                                assertThat(l.address().isLoopbackAddress())
                                        .as("%s listens beyond loopback", l)
                                        .isTrue());
    }
}
