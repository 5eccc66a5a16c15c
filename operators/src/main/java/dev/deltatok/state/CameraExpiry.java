package dev.deltatok.state;

/**
 * When a silent camera's state is cleared: {@code ttl} after its last frame. Expiry checks run on
 * coarse time slots ({@code max(1 s, ttl / 8)}), so a camera that keeps sending registers at most a
 * few timers over its TTL instead of one per frame, at the cost of clearing up to one slot late.
 */
public final class CameraExpiry {

    private final long ttlMs;
    private final long slotMs;

    /**
     * @param ttlMs time to live in ms; 0 or less keeps every camera forever
     */
    public CameraExpiry(long ttlMs) {
        this.ttlMs = ttlMs;
        this.slotMs = Math.max(1000, ttlMs / 8);
    }

    public boolean enabled() {
        return ttlMs > 0;
    }

    /** The time of the check that will see a camera last active at {@code now} expire. */
    public long checkTime(long now) {
        return ((now + ttlMs) / slotMs + 1) * slotMs;
    }

    /** Whether a camera last active at {@code lastActive} has expired at {@code now}. */
    public boolean expired(long lastActive, long now) {
        return now - lastActive >= ttlMs;
    }
}
