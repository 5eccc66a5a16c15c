package dev.deltatok.delta;

/** How a camera's change threshold is chosen. */
public enum NoiseFloorMode {
    /**
     * Learnt per camera: a multiple of the camera's own estimated noise level, with the configured
     * change threshold as the floor.
     */
    ADAPTIVE,
    /** The configured change threshold for every camera. */
    FIXED
}
