package dev.deltatok.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a model's manifest. In order: the path the user gave ({@code --model}: a manifest file or
 * its folder), the system property {@value #PROPERTY}, the environment variable {@value #ENV},
 * {@code models/default/manifest.json} under the working directory or its parent, and finally the
 * default model packaged in the operators jar under {@value #CLASSPATH_PREFIX}.
 */
public final class ModelLocator {

    /** File name of a manifest when a folder is given. */
    public static final String MANIFEST = "manifest.json";

    /** System property naming a manifest file or folder. */
    public static final String PROPERTY = "deltatok.model";

    /** Environment variable naming a manifest file or folder. */
    public static final String ENV = "DELTATOK_MODEL";

    /** Where the default model lives in the operators jar. */
    public static final String CLASSPATH_PREFIX = "dev/deltatok/model/default/";

    private ModelLocator() {}

    /** A located manifest and the files around it. */
    public record Located(ModelFiles files, String manifestName) {}

    /**
     * Locates a model.
     *
     * @param userPath a manifest file or folder given by the user, or null to search
     * @throws ModelException if a given path does not exist or nothing is found
     */
    public static Located locate(String userPath) {
        if (userPath != null && !userPath.isBlank()) {
            return fromPath(Path.of(userPath), "--model " + userPath);
        }
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return fromPath(Path.of(property), "-D" + PROPERTY + "=" + property);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return fromPath(Path.of(env), ENV + "=" + env);
        }
        List<String> tried = new ArrayList<>();
        for (Path candidate :
                List.of(
                        Path.of("models", "default", MANIFEST),
                        Path.of("..", "models", "default", MANIFEST))) {
            tried.add(candidate.toAbsolutePath().normalize().toString());
            if (Files.isRegularFile(candidate)) {
                return fromPath(candidate, candidate.toString());
            }
        }
        return classpathDefault()
                .orElseThrow(
                        () ->
                                new ModelException(
                                        "default",
                                        "no model found: tried "
                                                + tried
                                                + " and classpath:"
                                                + CLASSPATH_PREFIX
                                                + MANIFEST
                                                + "; pass --model path/to/manifest.json"));
    }

    /** The default model packaged as classpath resources, if this classpath has it. */
    public static java.util.Optional<Located> classpathDefault() {
        ClassLoader loader = ModelLocator.class.getClassLoader();
        if (loader.getResource(CLASSPATH_PREFIX + MANIFEST) == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                new Located(ModelFiles.classpath(loader, CLASSPATH_PREFIX), MANIFEST));
    }

    private static Located fromPath(Path path, String origin) {
        Path manifest = Files.isDirectory(path) ? path.resolve(MANIFEST) : path;
        if (!Files.isRegularFile(manifest)) {
            throw new ModelException(
                    origin, "manifest " + manifest.toAbsolutePath().normalize() + " not found");
        }
        Path abs = manifest.toAbsolutePath().normalize();
        return new Located(ModelFiles.directory(abs.getParent()), abs.getFileName().toString());
    }
}
