package dev.deltatok.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.eval.EvalResult;
import dev.deltatok.eval.Evaluator;
import dev.deltatok.eval.FrameSource;
import dev.deltatok.eval.FrameSources;
import dev.deltatok.model.OnnxTokenizerModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltatok eval}: the tokenizer core over a source, delta versus full grid, no Kafka. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the tokenizer core over a frame source without Kafka or Flink and measures"
                    + " tokens, positions and bytes per frame, keyframes, reconstruction quality"
                    + " (PSNR, SSIM of the consumer's mirror against the source) and throughput,"
                    + " in delta mode, full-grid mode, or both side by side. For a model that is"
                    + " not patch-local it also measures the fidelity of the latents the consumer"
                    + " holds against each frame's true latents (cosine, relative L2).",
            "SOURCE is synthetic:NAME (static, corridor, busy, noise, lighting, cut, pan),"
                    + " a folder of JPEG/PNG images, or a video file (decoded by ffmpeg)."
        })
final class EvalCommand implements Callable<Integer> {

    /** Which modes to run. */
    enum Modes {
        DELTA,
        FULL,
        BOTH;

        List<TokenizerMode> modes() {
            return switch (this) {
                case DELTA -> List.of(TokenizerMode.DELTA);
                case FULL -> List.of(TokenizerMode.FULL);
                case BOTH -> List.of(TokenizerMode.DELTA, TokenizerMode.FULL);
            };
        }
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "SOURCE",
            description = "synthetic:NAME, an image folder, or a video file.")
    String input;

    @Option(
            names = "--size",
            defaultValue = "256",
            description =
                    "Width and height synthetic scenes and videos are rendered at before the"
                            + " model's own resize (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--max-frames",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Frames to evaluate; 0 = the whole source (synthetic scenes: "
                            + FrameSources.DEFAULT_SYNTHETIC_FRAMES
                            + ").")
    int maxFrames;

    @Option(
            names = "--mode",
            defaultValue = "both",
            description = "delta, full or both (default: ${DEFAULT-VALUE}).")
    Modes mode;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(
            names = "--motion-search",
            paramLabel = "PIXELS",
            description =
                    "Global motion search range per axis and frame, as tokenizer.motion-search"
                            + " (default: ${DEFAULT-VALUE}); 0 turns global motion off.")
    int motionSearch = TokenizerSettings.DEFAULT_MOTION_SEARCH;

    @Option(
            names = "--model",
            paramLabel = "MANIFEST",
            description =
                    "A model manifest (or its folder); default: the model shipped in the jar.")
    String model;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (size < 16) {
            err.println("deltatok eval: --size must be at least 16, got " + size);
            return 2;
        }
        if (motionSearch < 0 || motionSearch > 256) {
            err.println(
                    "deltatok eval: --motion-search must be in [0, 256] pixels, got "
                            + motionSearch);
            return 2;
        }
        if (maxFrames < 0) {
            err.println("deltatok eval: --max-frames must be >= 0, got " + maxFrames);
            return 2;
        }
        EvalResult result;
        try (OnnxTokenizerModel tokenizer =
                        OnnxTokenizerModel.loadDefault(model, OnnxTokenizerModel.Options.DEFAULT);
                FrameSource source = open(err)) {
            if (source == null) {
                return 2;
            }
            err.printf(
                    "deltatok eval: %s with %s, modes %s%n",
                    source.describe(), tokenizer.spec().modelId(), mode.modes());
            result =
                    new Evaluator(
                                    tokenizer,
                                    TokenizerSettings.builder().motionSearch(motionSearch).build())
                            .run(source, maxFrames, mode.modes());
        }
        out.print(result.toTable());
        out.flush();
        if (json != null) {
            writeJson(result, json);
            err.println("deltatok eval: wrote " + json);
        }
        return 0;
    }

    private FrameSource open(PrintWriter err) throws IOException {
        try {
            return FrameSources.open(input, "eval", size, size, maxFrames);
        } catch (IllegalArgumentException | IOException e) {
            err.println("deltatok eval: " + e.getMessage());
            return null;
        }
    }

    static void writeJson(EvalResult result, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), result.toJsonTree());
    }
}
