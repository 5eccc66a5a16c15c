package dev.deltatok.wire;

import java.nio.charset.StandardCharsets;

/** Record keys on every deltatok topic: the camera id as UTF-8 bytes. */
public final class CameraKeys {
    private CameraKeys() {}

    public static byte[] encode(String cameraId) {
        return cameraId.getBytes(StandardCharsets.UTF_8);
    }

    /** The camera id, or null for a record without a key. */
    public static String decode(byte[] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}
