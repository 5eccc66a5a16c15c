package dev.deltatok.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.eval.EvalResult;
import dev.deltatok.eval.Evaluator;
import dev.deltatok.eval.FrameSource;
import dev.deltatok.eval.FrameSources;
import dev.deltatok.job.TokenizerConfig;
import dev.deltatok.model.OnnxTokenizerModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
                    "Global motion search range per axis and frame; overrides"
                            + " tokenizer.motion-search (default: "
                            + TokenizerSettings.DEFAULT_MOTION_SEARCH
                            + "); 0 turns global motion off.")
    Integer motionSearch;

    @Option(
            names = "--model",
            paramLabel = "MANIFEST",
            description =
                    "A model manifest (or its folder); default: the model shipped in the jar.")
    String model;

    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description =
                    "A tokenizer option of the job, e.g. --option tokenizer.change-threshold=8"
                            + " (repeatable; see README's configuration table).")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--sweep",
            description =
                    "Rate-distortion curves instead of one run: full mode at 1 to all levels per"
                            + " patch and delta mode at each --sweep-point, side by side over the"
                            + " same frames; prints tokens per frame against PSNR and SSIM.")
    boolean sweep;

    @Option(
            names = "--sweep-point",
            paramLabel = "KEY=VALUE[,KEY=VALUE...]",
            description =
                    "A delta-mode point of the sweep, as tokenizer options on top of --option"
                            + " (repeatable; \"default\" is the defaults). Without it: "
                            + DEFAULT_SWEEP_DESCRIPTION
                            + ".")
    List<String> sweepPoints = new ArrayList<>();

    @Option(
            names = "--chart",
            paramLabel = "FILE.png",
            description = "With --sweep: also draw the curves into this PNG.")
    Path chart;

    @Option(
            names = "--table",
            paramLabel = "FILE.md",
            description = "With --sweep: also write the table as Markdown to this file.")
    Path table;

    /**
     * The sweep's finest delta point: a fixed change threshold of 1 level, no error budget, no
     * latent threshold and no token cap, so that every patch that moved gets every level (or keeps
     * held tokens only where they fit as well as its own encoding). The defaults' noise floor and
     * error budget are what keep delta mode below full mode's quality; this point lifts both.
     */
    static final String FINEST_SWEEP_POINT =
            "tokenizer.noise-floor=fixed,tokenizer.change-threshold=1,tokenizer.error-budget=0,"
                    + "tokenizer.error-budget-ratio=0,tokenizer.latent-threshold=0,"
                    + "tokenizer.max-tokens-per-frame=4096";

    /** The delta-mode points of a sweep without {@code --sweep-point}. */
    static final List<String> DEFAULT_SWEEP_POINTS =
            List.of(
                    "tokenizer.max-levels=1",
                    "tokenizer.max-levels=2",
                    "default",
                    "tokenizer.error-budget-ratio=0",
                    FINEST_SWEEP_POINT);

    static final String DEFAULT_SWEEP_DESCRIPTION =
            "at most 1 and 2 levels per patch, the defaults, the absolute error budget only (no"
                    + " relative part), then"
                    + " no noise floor and no error budget";

    /** The tokenizer settings the job would run with under {@code --option}s. */
    static TokenizerSettings settings(List<String> options) {
        List<String> args = new ArrayList<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--option must be KEY=VALUE, got '" + o + "'");
            }
            args.add("--" + o.substring(0, eq));
            args.add(o.substring(eq + 1));
        }
        return TokenizerConfig.fromConfiguration(
                        TokenizerConfig.parseArgs(args.toArray(String[]::new)))
                .settings();
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (size < 16) {
            err.println("deltatok eval: --size must be at least 16, got " + size);
            return 2;
        }
        if (motionSearch != null && (motionSearch < 0 || motionSearch > 256)) {
            err.println(
                    "deltatok eval: --motion-search must be in [0, 256] pixels, got "
                            + motionSearch);
            return 2;
        }
        if (maxFrames < 0) {
            err.println("deltatok eval: --max-frames must be >= 0, got " + maxFrames);
            return 2;
        }
        TokenizerSettings settings;
        try {
            settings = settings(options);
            if (motionSearch != null) {
                settings = settings.toBuilder().motionSearch(motionSearch).build();
            }
        } catch (IllegalArgumentException e) {
            err.println("deltatok eval: " + e.getMessage());
            return 2;
        }
        if (sweep) {
            return sweep(settings, out, err);
        }
        if (chart != null || table != null || !sweepPoints.isEmpty()) {
            err.println("deltatok eval: --sweep-point, --chart and --table need --sweep");
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
            result = new Evaluator(tokenizer, settings).run(source, maxFrames, mode.modes());
        }
        out.print(result.toTable());
        out.flush();
        if (json != null) {
            writeJson(result, json);
            err.println("deltatok eval: wrote " + json);
        }
        return 0;
    }

    private int sweep(TokenizerSettings base, PrintWriter out, PrintWriter err) throws IOException {
        List<String> points = sweepPoints.isEmpty() ? DEFAULT_SWEEP_POINTS : sweepPoints;
        Map<String, TokenizerSettings> variants = new LinkedHashMap<>();
        Map<String, String> seriesOf = new LinkedHashMap<>();
        String source;
        String modelId;
        Map<String, EvalResult.ModeResult> results;
        try (OnnxTokenizerModel tokenizer =
                        OnnxTokenizerModel.loadDefault(model, OnnxTokenizerModel.Options.DEFAULT);
                FrameSource frames = open(err)) {
            if (frames == null) {
                return 2;
            }
            int levels = tokenizer.spec().levels();
            for (int l = 1; l <= levels; l++) {
                String label = "full, " + l + (l == 1 ? " level" : " levels");
                variants.put(label, base.toBuilder().mode(TokenizerMode.FULL).maxLevels(l).build());
                seriesOf.put(label, "full");
            }
            try {
                for (String point : points) {
                    String label = "delta, " + point;
                    variants.put(label, point(base, point));
                    seriesOf.put(label, "delta");
                }
            } catch (IllegalArgumentException e) {
                err.println("deltatok eval: --sweep-point: " + e.getMessage());
                return 2;
            }
            source = frames.describe();
            modelId = tokenizer.spec().modelId();
            err.printf(
                    "deltatok eval: sweep of %s with %s, %d settings side by side%n",
                    source, modelId, variants.size());
            results = new Evaluator(tokenizer, base).runVariants(frames, maxFrames, variants);
        }
        RateDistortion rd = RateDistortion.of(source, modelId, seriesOf, results);
        out.print(rd.toMarkdown());
        out.flush();
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(json.toFile(), rd.toJsonTree());
            err.println("deltatok eval: wrote " + json);
        }
        if (table != null) {
            Path parent = table.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(table, rd.toMarkdown());
            err.println("deltatok eval: wrote " + table);
        }
        if (chart != null) {
            rd.chart(chart);
            err.println("deltatok eval: wrote " + chart);
        }
        return 0;
    }

    /** Delta-mode settings of one sweep point: "default" or KEY=VALUE[,KEY=VALUE...]. */
    private TokenizerSettings point(TokenizerSettings base, String point) {
        if (point.equals("default")) {
            return base.withMode(TokenizerMode.DELTA);
        }
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(point.split(",")));
        return settings(all).withMode(TokenizerMode.DELTA);
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
