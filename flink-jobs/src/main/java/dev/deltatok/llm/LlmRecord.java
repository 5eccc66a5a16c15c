package dev.deltatok.llm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One LLM-ready camera window: the flat token sequence, the Token-Dynamics pair held at the
 * window's end (table of slot to token ids, and the key map of slot per position), and the window's
 * summary token.
 *
 * @param cameraId the camera
 * @param modelId model id@version whose codes the visual tokens carry
 * @param firstFrameSeq frame seq of the window's first frame
 * @param lastFrameSeq frame seq of its last frame
 * @param frames frames in the window
 * @param tokens the flat token-id sequence (see {@link LlmVocabulary})
 * @param table live slots and their token ids (codebook ids, coarse level first)
 * @param keyMap slot per grid position, row-major
 * @param summary the window's dynamics, and {@link #summaryToken} its token
 * @param summaryToken {@code vocabulary.summary(summary.value())}
 */
public record LlmRecord(
        String cameraId,
        String modelId,
        long firstFrameSeq,
        long lastFrameSeq,
        int frames,
        int[] tokens,
        SortedMap<Integer, int[]> table,
        int[] keyMap,
        WindowSummary summary,
        int summaryToken) {

    /** The JSON shape {@code tail --format llm} prints, one record per line. */
    public Map<String, Object> toJsonTree(LlmVocabulary vocabulary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("camera", cameraId);
        m.put("model", modelId);
        m.put("frames", List.of(firstFrameSeq, lastFrameSeq));
        m.put("frameCount", frames);
        m.put("vocabularySize", vocabulary.size());
        m.put("tokenCount", tokens.length);
        m.put("tokens", tokens);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("token", summaryToken);
        s.put("value", summary.value());
        s.put("activity", summary.activity());
        s.put("quadrants", summary.quadrants());
        s.put("rebased", summary.rebased());
        s.put("rising", summary.rising());
        s.put("changedFraction", summary.changedFraction());
        m.put("summary", s);
        Map<String, int[]> slots = new LinkedHashMap<>();
        table.forEach((slot, ids) -> slots.put(Integer.toString(slot), ids));
        m.put("table", slots);
        m.put("keyMap", keyMap);
        return m;
    }

    /** The sequence as readable token names, e.g. for documentation. */
    public String render(LlmVocabulary vocabulary, int maxTokens) {
        StringBuilder out = new StringBuilder();
        int n = Math.min(tokens.length, maxTokens);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(vocabulary.name(tokens[i]));
        }
        if (n < tokens.length) {
            out.append(" ... (").append(tokens.length - n).append(" more)");
        }
        return out.toString();
    }
}
