package dev.deltatok.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestorePointTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir Path dir;

    @Test
    void findsNothingInAMissingOrEmptyFolder() throws IOException {
        assertThat(RestorePoint.latest(dir.resolve("absent").toUri().toString())).isEmpty();
        assertThat(RestorePoint.latest(dir.toUri().toString())).isEmpty();
    }

    @Test
    void picksTheNewestCompletedCheckpointAcrossJobIdFolders() throws IOException {
        completed("aaaa/chk-7", 7, T0);
        completed("bbbb/chk-12", 12, T0.plusSeconds(60));
        completed("bbbb/chk-11", 11, T0.plusSeconds(59));

        RestorePoint latest = RestorePoint.latest(dir.toUri().toString()).orElseThrow();

        assertThat(latest.path()).endsWith("bbbb/chk-12");
        assertThat(latest.kind()).isEqualTo(RestorePoint.Kind.CHECKPOINT);
        assertThat(latest.checkpointId()).isEqualTo(12);
    }

    @Test
    void picksByCompletionTimeNotByCheckpointNumber() throws IOException {
        // a run started with --fresh counts checkpoints from 1 again
        completed("old-job/chk-40", 40, T0);
        completed("fresh-job/chk-3", 3, T0.plusSeconds(5));

        assertThat(RestorePoint.latest(dir.toUri().toString()).orElseThrow().path())
                .endsWith("fresh-job/chk-3");
    }

    @Test
    void aSavepointWrittenAfterTheLastCheckpointWins() throws IOException {
        completed("job/chk-9", 9, T0);
        completed("savepoints/savepoint-1a2b3c-0123456789ab", 10, T0.plusSeconds(1));

        RestorePoint latest = RestorePoint.latest(dir.toUri().toString()).orElseThrow();

        assertThat(latest.kind()).isEqualTo(RestorePoint.Kind.SAVEPOINT);
        assertThat(latest.checkpointId()).isEqualTo(10);
    }

    @Test
    void breaksTiesOfEqualTimesByCheckpointId() throws IOException {
        completed("job-a/chk-5", 5, T0);
        completed("job-b/chk-6", 6, T0);

        assertThat(RestorePoint.latest(dir.toUri().toString()).orElseThrow().checkpointId())
                .isEqualTo(6);
    }

    @Test
    void skipsCheckpointsWithoutCompleteMetadata() throws IOException {
        completed("job/chk-4", 4, T0);
        // in flight when the process was killed: state files, no _metadata yet
        Files.createDirectories(dir.resolve("job/chk-5"));
        Files.writeString(dir.resolve("job/chk-5/some-state"), "x");
        // empty and truncated metadata
        Files.createDirectories(dir.resolve("job/chk-6"));
        Files.write(dir.resolve("job/chk-6/_metadata"), new byte[0]);
        Path truncated = completed("job/chk-7", 7, T0.plusSeconds(2));
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.setLastModifiedTime(truncated, FileTime.from(T0.plusSeconds(2)));
        // not a checkpoint folder at all
        completed("job/taskowned", 99, T0.plusSeconds(3));
        completed("job/shared", 98, T0.plusSeconds(3));

        List<RestorePoint> all = RestorePoint.all(dir.toUri().toString());

        assertThat(all).extracting(RestorePoint::checkpointId).containsExactly(4L);
    }

    /** A completed checkpoint's folder with metadata Flink wrote, completed at {@code at}. */
    private Path completed(String folder, long checkpointId, Instant at) throws IOException {
        Path metadata = Files.createDirectories(dir.resolve(folder)).resolve("_metadata");
        try (OutputStream out = Files.newOutputStream(metadata)) {
            Checkpoints.storeCheckpointMetadata(
                    new CheckpointMetadata(checkpointId, List.of(), List.of()), out);
        }
        Files.setLastModifiedTime(metadata, FileTime.from(at));
        return metadata;
    }
}
