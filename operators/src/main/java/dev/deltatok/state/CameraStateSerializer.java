package dev.deltatok.state;

import dev.deltatok.reference.NoiseEstimator;
import dev.deltatok.table.TokenTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Versioned binary form of {@link CameraState} for Flink keyed state. Layout of version 3 (all
 * integers unsigned LEB128 varints unless noted, strings as Java modified UTF-8):
 *
 * <pre>
 * byte    version (= 3)
 * utf     cameraId, modelId
 * varint  gridRows, gridCols, patchSize, levels, latentDim, referenceBlock
 * byte    flags (bit 0: synced)
 * varlong nextDeltaSeq, lastFrameSeq + 1, framesSeen, keyframes
 * varint  keyframeClock
 * bytes   reference: (gridCols*patchSize/referenceBlock) * (gridRows*patchSize/referenceBlock) * 3
 * per position: varint slot + 1; float32 heldError; float32 heldExcess; byte waiting
 * varint  table capacity, live slot count
 * per live slot (increasing id): varint slot; varint token count; varint tokens...;
 *         varlong useCount, lastUsed; byte hasLatent; [float32 scale; latentDim bytes]
 * byte    hasPrevious; [bytes previous frame's block means, the reference's size]
 * float32 noiseLevel (negative: not yet estimated)
 * varint  offsetX, offsetY, zigzag-encoded (the picture's global-motion offset in pixels)
 * </pre>
 *
 * Version 2 is the same without the offsets: restored, the picture sits at offset (0, 0), which is
 * where every camera was before global motion existed.
 *
 * <p>Version 1 is the same without the last two fields: restored, a camera has no previous frame
 * and no noise estimate, and learns both again from its next frames (its change threshold meanwhile
 * is the configured floor, as version 1 used).
 *
 * <p>Reference counts are not stored: they are rebuilt from the key map. A new layout gets a new
 * version byte and this class keeps reading the old ones; frozen bytes of each released version
 * live in the test resources.
 */
public final class CameraStateSerializer {

    public static final int CURRENT_VERSION = 3;

    public byte[] serialize(CameraState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CURRENT_VERSION);
            out.writeUTF(state.cameraId());
            out.writeUTF(state.modelId());
            writeVarint(out, state.gridRows());
            writeVarint(out, state.gridCols());
            writeVarint(out, state.patchSize());
            writeVarint(out, state.levels());
            writeVarint(out, state.latentDim());
            writeVarint(out, state.referenceBlock());
            out.writeByte(state.synced() ? 1 : 0);
            writeVarlong(out, state.nextDeltaSeq());
            writeVarlong(out, state.lastFrameSeq() + 1);
            writeVarlong(out, state.framesSeen());
            writeVarlong(out, state.keyframes());
            writeVarint(out, state.keyframeClock());
            out.write(state.referenceArray());
            int[] keyMap = state.keyMapArray();
            for (int p = 0; p < keyMap.length; p++) {
                writeVarint(out, keyMap[p] + 1);
                out.writeFloat(state.heldErrorArray()[p]);
                out.writeFloat(state.heldExcessArray()[p]);
                out.writeByte(state.waitingArray()[p]);
            }
            TokenTable table = state.mutableTable();
            int[] live = table.liveSlots();
            writeVarint(out, table.capacity());
            writeVarint(out, live.length);
            for (int slot : live) {
                writeVarint(out, slot);
                int[] tokens = table.tokens(slot);
                writeVarint(out, tokens.length);
                for (int t : tokens) {
                    writeVarint(out, t);
                }
                writeVarlong(out, table.useCount(slot));
                writeVarlong(out, table.lastUsed(slot));
                byte[] latent = table.quantisedLatent(slot);
                out.writeByte(latent == null ? 0 : 1);
                if (latent != null) {
                    out.writeFloat(table.latentScale(slot));
                    out.write(latent);
                }
            }
            byte[] previous = state.previousArray();
            out.writeByte(previous == null ? 0 : 1);
            if (previous != null) {
                out.write(previous);
            }
            out.writeFloat(state.noiseLevel());
            writeVarint(out, zigzag(state.offsetX()));
            writeVarint(out, zigzag(state.offsetY()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads any supported version.
     *
     * @throws IllegalArgumentException for an unknown version or malformed bytes
     */
    public CameraState deserialize(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("empty CameraState bytes");
        }
        int version = bytes[0] & 0xFF;
        if (version < 1 || version > CURRENT_VERSION) {
            throw new IllegalArgumentException(
                    "unsupported CameraState version " + version + "; this build reads 1 to 3");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.readByte();
            return read(in, version);
        } catch (EOFException e) {
            throw new IllegalArgumentException(
                    "truncated CameraState (" + bytes.length + " bytes)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed CameraState: " + e.getMessage(), e);
        }
    }

    private static CameraState read(DataInputStream in, int version) throws IOException {
        String cameraId = in.readUTF();
        String modelId = in.readUTF();
        int gridRows = readBounded(in, 1 << 14, "gridRows");
        int gridCols = readBounded(in, 1 << 14, "gridCols");
        int patchSize = readBounded(in, 1 << 12, "patchSize");
        int levels = readBounded(in, 1 << 8, "levels");
        int latentDim = readBounded(in, 1 << 16, "latentDim");
        int referenceBlock = readBounded(in, patchSize, "referenceBlock");
        if (referenceBlock == 0 || patchSize % referenceBlock != 0 || gridRows * gridCols == 0) {
            throw new IOException("inconsistent shape");
        }
        boolean synced = (in.readByte() & 1) != 0;
        long nextDeltaSeq = readVarlong(in);
        long lastFrameSeq = readVarlong(in) - 1;
        long framesSeen = readVarlong(in);
        long keyframes = readVarlong(in);
        int keyframeClock = readVarint(in);
        int positions = gridRows * gridCols;
        long refSize =
                (long) (gridCols * patchSize / referenceBlock)
                        * (gridRows * patchSize / referenceBlock)
                        * 3;
        if (refSize > in.available()) {
            throw new EOFException();
        }
        byte[] reference = new byte[(int) refSize];
        in.readFully(reference);
        int[] keyMap = new int[positions];
        float[] heldError = new float[positions];
        float[] heldExcess = new float[positions];
        byte[] waiting = new byte[positions];
        for (int p = 0; p < positions; p++) {
            keyMap[p] = readVarint(in) - 1;
            heldError[p] = in.readFloat();
            heldExcess[p] = in.readFloat();
            waiting[p] = in.readByte();
        }
        int capacity = readBounded(in, 1 << 20, "capacity");
        int liveCount = readBounded(in, capacity, "live slots");
        TokenTable table = new TokenTable(capacity, latentDim);
        for (int i = 0; i < liveCount; i++) {
            int slot = readBounded(in, capacity - 1, "slot");
            int count = readBounded(in, levels, "token count");
            int[] tokens = new int[count];
            for (int t = 0; t < count; t++) {
                tokens[t] = readVarint(in);
            }
            long uses = readVarlong(in);
            long last = readVarlong(in);
            byte[] latent = null;
            float scale = 0;
            if (in.readByte() != 0) {
                scale = in.readFloat();
                latent = new byte[latentDim];
                in.readFully(latent);
            }
            table.restore(slot, tokens, latent, scale, uses, last);
        }
        for (int p = 0; p < positions; p++) {
            if (keyMap[p] != CameraState.NO_SLOT) {
                if (!table.isLive(keyMap[p])) {
                    throw new IOException("position " + p + " refers to missing slot " + keyMap[p]);
                }
                table.addReference(keyMap[p]);
            }
        }
        byte[] previous = null;
        float noiseLevel = NoiseEstimator.UNKNOWN;
        if (version >= 2) {
            if (in.readByte() != 0) {
                if (refSize > in.available()) {
                    throw new EOFException();
                }
                previous = new byte[(int) refSize];
                in.readFully(previous);
            }
            noiseLevel = in.readFloat();
            if (Float.isNaN(noiseLevel) || noiseLevel > 255) {
                throw new IOException("noise level " + noiseLevel + " out of range");
            }
            if (noiseLevel < 0) {
                noiseLevel = NoiseEstimator.UNKNOWN;
            }
        }
        int offsetX = 0;
        int offsetY = 0;
        if (version >= 3) {
            offsetX = unzigzag(readBounded(in, 2 * patchSize, "offsetX"));
            offsetY = unzigzag(readBounded(in, 2 * patchSize, "offsetY"));
            if (Math.abs(offsetX) > patchSize / 2 || Math.abs(offsetY) > patchSize / 2) {
                throw new IOException(
                        "offset (" + offsetX + ", " + offsetY + ") beyond half a patch");
            }
        }
        if (in.read() != -1) {
            throw new IOException("trailing bytes");
        }
        return CameraState.restore(
                cameraId,
                modelId,
                gridRows,
                gridCols,
                patchSize,
                levels,
                latentDim,
                referenceBlock,
                table,
                keyMap,
                reference,
                heldError,
                heldExcess,
                waiting,
                previous,
                noiseLevel,
                offsetX,
                offsetY,
                synced,
                nextDeltaSeq,
                lastFrameSeq,
                framesSeen,
                keyframeClock,
                keyframes);
    }

    private static int readBounded(DataInputStream in, int max, String what) throws IOException {
        int v = readVarint(in);
        if (v > max) {
            throw new IOException(what + " " + v + " exceeds " + max);
        }
        return v;
    }

    private static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    private static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static void writeVarint(DataOutputStream out, int value) throws IOException {
        writeVarlong(out, value & 0xFFFFFFFFL);
    }

    private static void writeVarlong(DataOutputStream out, long value) throws IOException {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static int readVarint(DataInputStream in) throws IOException {
        long v = readVarlong(in);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IOException("varint out of range: " + v);
        }
        return (int) v;
    }

    private static long readVarlong(DataInputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("over-long varint");
    }
}
