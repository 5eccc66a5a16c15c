package dev.deltatok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code deltatok demo} in-process: real broker, MiniCluster job, default model, two cameras. */
@Timeout(300)
class DemoCommandITCase {

    @Test
    void twoCamerasGetEveryFrameAsADeltaWithoutGaps() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli =
                DeltatokCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        int exit = cli.execute("demo", "--cameras", "2", "--fps", "10", "--seconds", "8");

        assertThat(exit).as(err.toString()).isZero();
        DemoCommand demo = cli.getSubcommands().get("demo").getCommand();
        DemoCommand.Summary summary = demo.summary;
        assertThat(summary.rows()).hasSize(2);
        for (DemoCommand.CameraRow row : summary.rows()) {
            assertThat(row.framesSent()).as("%s%n%s", row.cameraId(), err).isEqualTo(80);
            assertThat(row.deltas()).as(row.cameraId()).isEqualTo(row.framesSent());
            // Neither scene (corridor, busy) cuts, and 80 frames stay under the maximum keyframe
            // interval of 250: the first frame is the only keyframe, every other delta a DELTA.
            assertThat(row.keyframes()).as(row.cameraId()).isEqualTo(1);
            assertThat(row.gaps()).as(row.cameraId()).isZero();
            // Measured 24.2 dB (corridor) and 21.5 dB (busy) on the last frame of this run
            // (README's 300-frame demo: 19.4 to 26.6 dB); 18 dB is 3.5 dB under the lower one.
            assertThat(row.psnrDb()).as(row.cameraId()).isGreaterThan(18);
        }
        assertThat(summary.gaps()).isZero();
        assertThat(summary.rejected()).isZero();
        assertThat(summary.gridFraction()).isBetween(0.0, 1.0);
        assertThat(out.toString()).contains("cam-0").contains("cam-1").contains("latency");
    }
}
