package dev.deltatok.cli;

import dev.deltatok.delta.KeyMapCodec;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link TokenDelta} as the JSON tree {@code tail --format jsonl} prints, key map decoded. */
final class DeltaJson {
    private DeltaJson() {}

    static Map<String, Object> toJsonTree(TokenDelta d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("camera", d.getCameraId());
        m.put("deltaSeq", d.getDeltaSeq());
        m.put("frameSeq", d.getFrameSeq());
        m.put("captureTime", d.getCaptureTime().toString());
        m.put("emitTime", d.getEmitTime().toString());
        m.put("kind", d.getKind().name());
        m.put("model", d.getModelId());
        m.put("grid", List.of(d.getGridRows(), d.getGridCols()));
        m.put("levels", d.getLevels());
        List<Map<String, Object>> upserts = new ArrayList<>();
        for (SlotUpsert u : d.getUpserts()) {
            Map<String, Object> um = new LinkedHashMap<>();
            um.put("slot", u.getSlot());
            um.put("tokens", u.getTokens());
            upserts.add(um);
        }
        m.put("upserts", upserts);
        m.put("evictions", d.getEvictions());
        KeyMapCodec.Updates updates =
                KeyMapCodec.decode(d.getKeyMap().duplicate(), d.getGridRows() * d.getGridCols());
        List<int[]> keyMap = new ArrayList<>();
        for (int i = 0; i < updates.count(); i++) {
            keyMap.add(new int[] {updates.positions()[i], updates.slots()[i]});
        }
        m.put("keyMap", keyMap);
        FrameStats s = d.getStats();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("changedPatches", s.getChangedPatches());
        stats.put("encodedPatches", s.getEncodedPatches());
        stats.put("sentPatches", s.getSentPatches());
        stats.put("tokens", s.getTokens());
        stats.put("tableSize", s.getTableSize());
        stats.put("estimatedError", s.getEstimatedError());
        stats.put("keyframeReason", s.getKeyframeReason().name());
        stats.put("skippedFrames", s.getSkippedFrames());
        stats.put("budgetScale", s.getBudgetScale());
        m.put("stats", stats);
        return m;
    }
}
