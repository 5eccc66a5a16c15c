package dev.deltatok.delta;

import dev.deltatok.model.ModelSpec;
import dev.deltatok.reference.PictureMotion;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.FrameStats;
import dev.deltatok.schema.SlotUpsert;
import dev.deltatok.schema.TokenDelta;
import dev.deltatok.state.AppliedPlan;
import dev.deltatok.table.TokenTableView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the {@link TokenDelta} that tells a consumer what an {@link AppliedPlan} changed: table
 * upserts (with little-endian float32 latents when {@code includeLatents}), evictions, the key-map
 * update and the frame's stats. Stateless; one instance serves every camera of a thread.
 */
public final class DeltaWriter {

    private final ModelSpec spec;
    private final boolean includeLatents;

    public DeltaWriter(ModelSpec spec, TokenizerSettings settings) {
        this.spec = spec;
        this.includeLatents = settings.includeLatents();
    }

    /**
     * @param table the camera's table after the change (upserted slots are read from it)
     * @param emitTime the delta's emit time (the caller's clock)
     */
    public TokenDelta write(
            String cameraId,
            PreparedFrame frame,
            Plan plan,
            AppliedPlan applied,
            TokenTableView table,
            Instant emitTime) {
        List<SlotUpsert> upserts = new ArrayList<>(applied.upsertSlots().length);
        for (int slot : applied.upsertSlots()) {
            upserts.add(upsert(table, slot));
        }
        List<Integer> evictions = new ArrayList<>(applied.evictedSlots().length);
        for (int slot : applied.evictedSlots()) {
            evictions.add(slot);
        }
        // A keyframe lists every position and is shown at no offset: it carries no motion, so
        // that a reader older than global motion reads it right. A delta that moved is MOVED,
        // which such a reader refuses.
        PictureMotion motion = plan.isKeyframe() ? PictureMotion.NONE : frame.motion();
        DeltaKind kind = motion.moved() ? DeltaKind.MOVED : plan.kind();
        FrameStats stats =
                FrameStats.newBuilder()
                        .setChangedPatches(frame.changedPatches())
                        .setEncodedPatches(frame.encodedCount())
                        .setSentPatches(applied.sentPatches())
                        .setTokens(applied.tokens() + (motion.shifted() ? 2 : 0))
                        .setTableSize(table.size())
                        .setEstimatedError(applied.estimatedError())
                        .setKeyframeReason(plan.reason())
                        .setSkippedFrames(frame.skippedFrames())
                        .setBudgetScale(frame.budgetScale())
                        .build();
        return TokenDelta.newBuilder()
                .setCameraId(cameraId)
                .setDeltaSeq(applied.deltaSeq())
                .setFrameSeq(frame.frameSeq())
                .setCaptureTime(frame.captureTime())
                .setEmitTime(emitTime)
                .setKind(kind)
                .setModelId(spec.modelId())
                .setGridRows(spec.gridRows())
                .setGridCols(spec.gridCols())
                .setLevels(spec.levels())
                .setUpserts(upserts)
                .setEvictions(evictions)
                .setKeyMap(
                        KeyMapCodec.encode(
                                applied.keyMapPositions(),
                                applied.keyMapSlots(),
                                applied.keyMapPositions().length))
                .setShiftRows(motion.shiftRows())
                .setShiftCols(motion.shiftCols())
                .setOffsetX(motion.offsetX())
                .setOffsetY(motion.offsetY())
                .setStats(stats)
                .build();
    }

    private SlotUpsert upsert(TokenTableView table, int slot) {
        int[] ids = table.tokens(slot);
        List<Integer> list = new ArrayList<>(ids.length);
        for (int id : ids) {
            list.add(id);
        }
        ByteBuffer latent = null;
        if (includeLatents) {
            float[] values = table.latent(slot);
            if (values != null) {
                latent = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    latent.putFloat(v);
                }
                latent.flip();
            }
        }
        return SlotUpsert.newBuilder().setSlot(slot).setTokens(list).setLatent(latent).build();
    }
}
