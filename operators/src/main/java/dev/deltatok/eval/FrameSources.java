package dev.deltatok.eval;

import dev.deltatok.scene.SyntheticScenes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a source from the command line's {@code --input} spelling. */
public final class FrameSources {

    /** Frames a synthetic scene yields when no maximum is given. */
    public static final int DEFAULT_SYNTHETIC_FRAMES = 300;

    private FrameSources() {}

    /**
     * {@code synthetic:NAME} (a built-in scene, seeded from the camera id), a folder of JPEG / PNG
     * images, or a video file read through ffmpeg at {@code width x height}.
     *
     * @param maxFrames frames a synthetic scene yields ({@code <= 0}: {@link
     *     #DEFAULT_SYNTHETIC_FRAMES}); other sources end with their input
     * @throws IllegalArgumentException for an unknown scene name or a missing path
     * @throws IOException when the folder or video cannot be opened (ffmpeg missing included)
     */
    public static FrameSource open(
            String spec, String cameraId, int width, int height, int maxFrames) throws IOException {
        if (spec.startsWith("synthetic:")) {
            String name = spec.substring("synthetic:".length());
            return new SyntheticFrameSource(
                    SyntheticScenes.create(name, SyntheticScenes.seedFor(cameraId), width, height),
                    cameraId,
                    maxFrames > 0 ? maxFrames : DEFAULT_SYNTHETIC_FRAMES);
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return new ImageFolderFrameSource(path, cameraId);
        }
        if (Files.isRegularFile(path)) {
            return new FfmpegFrameSource(path, cameraId, width, height);
        }
        throw new IllegalArgumentException(
                "input '"
                        + spec
                        + "' is neither synthetic:NAME (one of "
                        + SyntheticScenes.names()
                        + "), a folder of images, nor a video file");
    }
}
