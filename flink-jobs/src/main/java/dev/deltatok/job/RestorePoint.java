package dev.deltatok.job;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A completed checkpoint or savepoint that a job can resume from, and the search for the newest one
 * in a checkpoint folder.
 *
 * <p>Flink writes retained checkpoints to {@code DIR/<job id>/chk-<n>/_metadata} (a new job id per
 * run) and {@code deltatok run} writes its stop-savepoints to {@code
 * DIR/savepoints/savepoint-*&#47;_metadata}. A checkpoint is complete once its {@code _metadata} is
 * written: Flink writes it last, after every task acknowledged, and on a local disk through a
 * temporary file that is renamed, so a folder without one (an aborted or in-flight checkpoint, a
 * killed run) is skipped, and so is one whose metadata does not read back.
 */
public record RestorePoint(
        String path, Kind kind, long checkpointId, Instant completedAt, long metadataBytes) {

    private static final Logger LOG = LoggerFactory.getLogger(RestorePoint.class);

    /** The folder under the checkpoint folder that {@code deltatok run} writes savepoints into. */
    public static final String SAVEPOINTS_FOLDER = "savepoints";

    static final String METADATA = "_metadata";
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint-.+");

    /** What wrote a restore point. */
    public enum Kind {
        CHECKPOINT,
        SAVEPOINT
    }

    /**
     * Newest first: by the time the metadata was written, then (the same time, on a file system
     * with coarse clocks) by checkpoint id, which keeps growing across runs that resume, then a
     * savepoint before a checkpoint, then by path, so that the order is total.
     */
    public static final Comparator<RestorePoint> NEWEST_FIRST =
            Comparator.comparing(RestorePoint::completedAt)
                    .thenComparingLong(RestorePoint::checkpointId)
                    .thenComparing(p -> p.kind() == Kind.SAVEPOINT)
                    .thenComparing(RestorePoint::path)
                    .reversed();

    /**
     * The newest complete checkpoint or savepoint under {@code checkpointDir}, looking into every
     * job-id folder and the savepoints folder; empty when there is none.
     *
     * @throws IOException when the folder exists but cannot be listed
     */
    public static Optional<RestorePoint> latest(String checkpointDir) throws IOException {
        return all(checkpointDir).stream().findFirst();
    }

    /** Every complete restore point under {@code checkpointDir}, {@link #NEWEST_FIRST}. */
    public static List<RestorePoint> all(String checkpointDir) throws IOException {
        Path root = new Path(checkpointDir);
        FileSystem fs = root.getFileSystem();
        List<RestorePoint> found = new ArrayList<>();
        if (!fs.exists(root)) {
            return found;
        }
        for (FileStatus child : list(fs, root)) {
            if (!child.isDir()) {
                continue;
            }
            for (FileStatus candidate : list(fs, child.getPath())) {
                String name = candidate.getPath().getName();
                if (!candidate.isDir()) {
                    continue;
                }
                Kind kind;
                if (CHECKPOINT.matcher(name).matches()) {
                    kind = Kind.CHECKPOINT;
                } else if (SAVEPOINT.matcher(name).matches()) {
                    kind = Kind.SAVEPOINT;
                } else {
                    continue;
                }
                read(fs, candidate.getPath(), kind).ifPresent(found::add);
            }
        }
        found.sort(NEWEST_FIRST);
        return found;
    }

    /**
     * The restore point in {@code folder}: its {@code _metadata} read back through Flink, so that a
     * truncated or foreign file is refused here rather than when the job starts.
     */
    static Optional<RestorePoint> read(FileSystem fs, Path folder, Kind kind) {
        Path metadata = new Path(folder, METADATA);
        try {
            if (!fs.exists(metadata)) {
                return Optional.empty();
            }
            FileStatus status = fs.getFileStatus(metadata);
            if (status.getLen() == 0) {
                return Optional.empty();
            }
            CheckpointMetadata loaded;
            try (InputStream in = fs.open(metadata);
                    DataInputStream data = new DataInputStream(in)) {
                loaded =
                        Checkpoints.loadCheckpointMetadata(
                                data, RestorePoint.class.getClassLoader(), folder.toString());
            }
            return Optional.of(
                    new RestorePoint(
                            folder.toString(),
                            kind,
                            loaded.getCheckpointId(),
                            Instant.ofEpochMilli(status.getModificationTime()),
                            status.getLen()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping {}: its metadata does not read back ({})", folder, e.toString());
            return Optional.empty();
        }
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        return children == null ? new FileStatus[0] : children;
    }

    /** The savepoint folder of a checkpoint folder, as a URI-style path Flink accepts. */
    public static String savepointsFolder(String checkpointDir) {
        return new Path(new Path(checkpointDir), SAVEPOINTS_FOLDER).toString();
    }

    @Override
    public String toString() {
        return (kind == Kind.SAVEPOINT ? "savepoint" : "checkpoint")
                + " "
                + checkpointId
                + " at "
                + path
                + " (completed "
                + completedAt
                + ")";
    }
}
