package dev.deltatok.e2e.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** deploy/Dockerfile read into its stages and instructions (line continuations joined). */
record Dockerfile(String text, List<Stage> stages) {

    /** One build stage: its name, its parent (image or stage) and its instructions in order. */
    record Stage(String name, String from, List<String[]> instructions) {}

    static Dockerfile read() throws IOException {
        String text = Files.readString(Manifests.DEPLOY.resolve("Dockerfile"));
        List<Stage> stages = new ArrayList<>();
        Stage current = null;
        for (String raw : text.replace("\\\n", " ").split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            String instruction = parts[0].toUpperCase();
            String args = parts.length > 1 ? parts[1] : "";
            if (instruction.equals("FROM")) {
                Matcher m =
                        Pattern.compile("(\\S+)\\s+AS\\s+(\\S+)", Pattern.CASE_INSENSITIVE)
                                .matcher(args);
                current =
                        m.find()
                                ? new Stage(m.group(2), m.group(1), new ArrayList<>())
                                : new Stage(args, args, new ArrayList<>());
                stages.add(current);
            } else if (current != null) {
                current.instructions().add(new String[] {instruction, args});
            }
        }
        return new Dockerfile(text, stages);
    }

    List<String> stageNames() {
        return stages.stream().map(Stage::name).toList();
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** COPY source and destination pairs of every stage. */
    List<String[]> copies() {
        List<String[]> out = new ArrayList<>();
        for (Stage s : stages) {
            for (String[] i : s.instructions()) {
                if (i[0].equals("COPY")) {
                    String[] words = i[1].replaceAll("--\\S+\\s+", "").trim().split("\\s+");
                    out.add(new String[] {words[0], words[words.length - 1]});
                }
            }
        }
        return out;
    }

    /** Variables set with ENV in {@code stage} and the stages it is built FROM. */
    Map<String, String> env(String stage) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Stage s : lineage(stage)) {
            for (String[] i : s.instructions()) {
                if (i[0].equals("ENV")) {
                    Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(i[1]);
                    while (m.find()) {
                        out.put(m.group(1), m.group(2));
                    }
                }
            }
        }
        return out;
    }

    /** The stage and its parents, oldest first. */
    List<Stage> lineage(String stage) {
        List<Stage> out = new ArrayList<>();
        String name = stage;
        while (true) {
            String n = name;
            Stage s = stages.stream().filter(x -> x.name().equals(n)).findFirst().orElse(null);
            if (s == null) {
                break;
            }
            out.add(0, s);
            name = s.from();
        }
        return out;
    }
}
