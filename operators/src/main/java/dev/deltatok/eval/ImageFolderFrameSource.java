package dev.deltatok.eval;

import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The JPEG and PNG files of a folder (not recursive), in file-name order, as JPEG / PNG frames; the
 * declared size is read from each file's header (0x0 when unreadable, which the decoder then
 * rejects).
 */
public final class ImageFolderFrameSource implements FrameSource {

    private final Path folder;
    private final String cameraId;
    private final List<Path> files;
    private int index;

    public ImageFolderFrameSource(Path folder, String cameraId) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException("not a folder: " + folder);
        }
        this.folder = folder;
        this.cameraId = cameraId;
        try (Stream<Path> list = Files.list(folder)) {
            this.files =
                    list.filter(Files::isRegularFile)
                            .filter(p -> formatOf(p) != null)
                            .sorted()
                            .toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no .jpg, .jpeg or .png files in " + folder);
        }
    }

    static PixelFormat formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return PixelFormat.JPEG;
        }
        if (name.endsWith(".png")) {
            return PixelFormat.PNG;
        }
        return null;
    }

    public int size() {
        return files.size();
    }

    @Override
    public Frame next() throws IOException {
        if (index >= files.size()) {
            return null;
        }
        int seq = index++;
        Path file = files.get(seq);
        byte[] data = Files.readAllBytes(file);
        int[] size = headerSize(file);
        return Frame.newBuilder()
                .setCameraId(cameraId)
                .setSeq(seq)
                .setCaptureTime(
                        SyntheticScene.EPOCH.plus(SyntheticScene.FRAME_INTERVAL.multipliedBy(seq)))
                .setWidth(size[0])
                .setHeight(size[1])
                .setFormat(formatOf(file))
                .setData(ByteBuffer.wrap(data))
                .setAttributes(Map.of("source", file.toString()))
                .build();
    }

    private static int[] headerSize(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new int[2];
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return new int[2];
        }
    }

    @Override
    public String describe() {
        return "folder " + folder + " (" + files.size() + " images)";
    }

    @Override
    public void close() {}
}
