package dev.deltatok.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deltatok.delta.TokenizerMode;
import dev.deltatok.delta.TokenizerSettings;
import dev.deltatok.model.OnnxTokenizerModel;
import dev.deltatok.model.TestingTokenizerModel;
import dev.deltatok.model.TokenizerModel;
import dev.deltatok.scene.SyntheticScene;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.CameraState;
import dev.deltatok.wire.AvroWireCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The deltas of every built-in synthetic scene under several settings, reduced to one SHA-256 per
 * case over the wire bytes of each delta in order. {@code golden/deltas-*.txt} hold the digests the
 * tokenizer produced before the core was split into stages; {@link GoldenDeltasTest} checks that it
 * still produces exactly those bytes.
 *
 * <p>The digests predate global motion's fields in {@code TokenDelta}: a delta without motion is
 * hashed as the schema of that day wrote it ({@link #BEFORE_MOTION}, the current schema without the
 * four motion fields and the MOVED kind), so its bytes still compare; a MOVED delta is hashed as
 * the current schema writes it. {@link #main} rewrites the files (run it only when a change of
 * behaviour is intended, and say which cases moved and why).
 */
public final class GoldenDeltas {

    static final int FRAMES = 48;
    static final String TESTING_FILE = "deltas-testing-model.txt";
    static final String DEFAULT_FILE = "deltas-default-model.txt";

    /**
     * Settings variants that reach every branch: the defaults, a tight budget, merging, a small
     * table.
     */
    static Map<String, TokenizerSettings> variants() {
        Map<String, TokenizerSettings> v = new LinkedHashMap<>();
        v.put("defaults", TokenizerSettings.defaults());
        v.put("full", TokenizerSettings.defaults().withMode(TokenizerMode.FULL));
        v.put(
                "tight-budget",
                TokenizerSettings.builder()
                        .maxTokensPerFrame(24)
                        .keyframeErrorBound(0.0015)
                        .maxKeyframeInterval(20)
                        .build());
        v.put(
                "merge-latents",
                TokenizerSettings.builder()
                        .mergeDistance(0.05)
                        .latentThreshold(0)
                        .includeLatents(true)
                        .build());
        v.put(
                "small-table",
                TokenizerSettings.builder()
                        .tableCapacity(260)
                        .changeThreshold(2.0)
                        .sceneCutFraction(0.9)
                        .build());
        return v;
    }

    /** The TokenDelta schema the digests were recorded with: before global motion. */
    static final Schema BEFORE_MOTION = beforeMotion();

    private static Schema beforeMotion() {
        String json = TokenDelta.getClassSchema().toString();
        ObjectNode root;
        try {
            root = (ObjectNode) new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ArrayNode fields = (ArrayNode) root.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            String name = fields.get(i).get("name").asText();
            if (List.of("shiftRows", "shiftCols", "offsetX", "offsetY").contains(name)) {
                fields.remove(i);
            } else if (name.equals("kind")) {
                ArrayNode symbols = (ArrayNode) fields.get(i).get("type").get("symbols");
                symbols.remove(2);
            }
        }
        return new Schema.Parser().parse(root.toString());
    }

    /** A delta's wire bytes as {@link #BEFORE_MOTION} wrote them, or the current ones if moved. */
    static byte[] goldenBytes(AvroWireCodec<TokenDelta> codec, TokenDelta delta) {
        byte[] current = codec.encode(delta);
        if (delta.getKind() == DeltaKind.MOVED) {
            return current;
        }
        try {
            Schema schema = TokenDelta.getClassSchema();
            GenericRecord old =
                    new GenericDatumReader<GenericRecord>(schema, BEFORE_MOTION)
                            .read(
                                    null,
                                    DecoderFactory.get()
                                            .binaryDecoder(current, 10, current.length - 10, null));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(current, 0, 2);
            long fp = SchemaNormalization.parsingFingerprint64(BEFORE_MOTION);
            for (int i = 0; i < 8; i++) {
                out.write((int) (fp >>> (8 * i)));
            }
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(BEFORE_MOTION).write(old, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one case and returns the digest of its deltas. */
    static String digest(TokenizerModel model, String scene, TokenizerSettings settings) {
        AvroWireCodec<TokenDelta> codec = AvroWireCodec.forType(TokenDelta.class);
        MessageDigest sha = sha256();
        TokenizerCore core = new TokenizerCore(model, settings);
        CameraState state = core.newState("golden");
        SyntheticScene s =
                SyntheticScenes.create(
                        scene, 11, model.spec().frameWidth(), model.spec().frameHeight());
        for (int seq = 0; seq < FRAMES; seq++) {
            Frame frame = s.frame("golden", seq);
            TokenDelta delta = core.process(state, frame, frame.getCaptureTime()).delta();
            sha.update(goldenBytes(codec, delta));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static Map<String, String> digests(TokenizerModel model) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, TokenizerSettings> v : variants().entrySet()) {
            for (String scene : SyntheticScenes.names()) {
                out.put(scene + "/" + v.getKey(), digest(model, scene, v.getValue()));
            }
        }
        return out;
    }

    static Map<String, String> read(String file) {
        Map<String, String> out = new LinkedHashMap<>();
        try (var in = GoldenDeltas.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource golden/" + file);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                out.put(parts[0], parts[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void write(Path file, Map<String, String> digests) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# scene/settings  sha256 of the wire bytes of " + FRAMES + " deltas (seed 11)");
        digests.forEach((k, d) -> lines.add(k + " " + d));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rewrites both golden files: {@code GoldenDeltas OUTPUT_FOLDER}. */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
        Files.createDirectories(folder);
        write(folder.resolve(TESTING_FILE), digests(TestingTokenizerModel.standard()));
        try (TokenizerModel onnx =
                OnnxTokenizerModel.loadDefault(null, OnnxTokenizerModel.Options.DEFAULT)) {
            write(folder.resolve(DEFAULT_FILE), digests(onnx));
        }
    }
}
