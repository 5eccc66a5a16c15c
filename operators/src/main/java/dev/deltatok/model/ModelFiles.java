package dev.deltatok.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a model's files live: a folder on disk or a classpath prefix. Files are read whole into
 * memory, hashed there and handed to ONNX Runtime as bytes, so what is verified is exactly what is
 * run.
 */
public interface ModelFiles {

    /** The bytes of {@code name} (a path relative to the manifest's folder). */
    byte[] read(String name) throws IOException;

    /** A human-readable location, used in error messages. */
    String describe();

    /** Files next to a manifest on disk. */
    static ModelFiles directory(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        return new ModelFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                Path file = base.resolve(name).normalize();
                if (!file.startsWith(base)) {
                    throw new IOException("file " + name + " lies outside the model folder");
                }
                return Files.readAllBytes(file);
            }

            @Override
            public String describe() {
                return base.toString();
            }
        };
    }

    /** Files under a classpath prefix such as {@code dev/deltatok/model/default/}. */
    static ModelFiles classpath(ClassLoader loader, String prefix) {
        String base = prefix.endsWith("/") ? prefix : prefix + "/";
        return new ModelFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                try (InputStream in = loader.getResourceAsStream(base + name)) {
                    if (in == null) {
                        throw new IOException("classpath resource " + base + name + " not found");
                    }
                    return in.readAllBytes();
                }
            }

            @Override
            public String describe() {
                return "classpath:" + base;
            }
        };
    }
}
