package dev.deltatok.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The built-in scenes, seeded and deterministic:
 *
 * <ul>
 *   <li>{@code static}: a textured corridor, nothing moves, faint sensor noise.
 *   <li>{@code corridor}: the same background with three walkers crossing it.
 *   <li>{@code busy}: thirty movers of varied size and speed.
 *   <li>{@code noise}: a still scene under strong sensor noise (about +-12 levels).
 *   <li>{@code lighting}: one walker while the illumination slowly cycles (period 200 frames).
 *   <li>{@code cut}: walkers, and a different background every 50 frames (scene cuts).
 *   <li>{@code pan}: the camera pans across a panorama at 2 pixels per frame (at 256 wide).
 * </ul>
 *
 * Sizes scale with the frame; rendering is a copy plus a few fills (thousands of frames per second
 * at 256x256).
 */
public final class SyntheticScenes {

    private static final List<String> NAMES =
            List.of("static", "corridor", "busy", "noise", "lighting", "cut", "pan");

    private SyntheticScenes() {}

    public static List<String> names() {
        return NAMES;
    }

    /**
     * Creates a scene.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones) or a
     *     size below 16x16
     */
    public static SyntheticScene create(String name, long seed, int width, int height) {
        if (width < 16 || height < 16 || (long) width * height > 64L * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "scene size must be between 16x16 and 64 Mpixel, got " + width + "x" + height);
        }
        SyntheticScene.Renderer renderer =
                switch (name) {
                    case "static" -> new Composite(seed, width, height, 0, 2, 0, false, false);
                    case "corridor" -> new Composite(seed, width, height, 3, 2, 0, false, false);
                    case "busy" -> new Composite(seed, width, height, 30, 2, 0, false, false);
                    case "noise" -> new Composite(seed, width, height, 0, 12, 0, false, false);
                    case "lighting" -> new Composite(seed, width, height, 1, 2, 0, true, false);
                    case "cut" -> new Composite(seed, width, height, 3, 2, 50, false, false);
                    case "pan" -> new Composite(seed, width, height, 0, 2, 0, false, true);
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown scene '" + name + "'; known scenes: " + NAMES);
                };
        return new SyntheticScene(name, seed, width, height, renderer);
    }

    /** A seed derived from a camera id, so each camera of a fleet sees its own variant. */
    public static long seedFor(String cameraId) {
        long h = 1125899906842597L;
        for (int i = 0; i < cameraId.length(); i++) {
            h = 31 * h + cameraId.charAt(i);
        }
        return mix(h);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Background (optionally cut or panned), movers, illumination and noise, in that order. */
    private static final class Composite implements SyntheticScene.Renderer {
        private final int width;
        private final int height;
        private final byte[][] backgrounds;
        private final int panoramaWidth;
        private final List<Mover> movers = new ArrayList<>();
        private final int cutEvery;
        private final boolean lighting;
        private final boolean pan;
        private final byte[] noise;
        private final int noiseAmplitude;

        Composite(
                long seed,
                int width,
                int height,
                int moverCount,
                int noiseAmplitude,
                int cutEvery,
                boolean lighting,
                boolean pan) {
            this.width = width;
            this.height = height;
            this.cutEvery = cutEvery;
            this.lighting = lighting;
            this.pan = pan;
            this.noiseAmplitude = noiseAmplitude;
            this.panoramaWidth = pan ? width * 3 : width;
            int variants = cutEvery > 0 ? 4 : 1;
            this.backgrounds = new byte[variants][];
            for (int i = 0; i < variants; i++) {
                backgrounds[i] = background(mix(seed + 7919L * i), panoramaWidth, height);
            }
            SplittableRandom random = new SplittableRandom(mix(seed ^ 0x5eedL));
            double scale = Math.min(width, height) / 256.0;
            for (int i = 0; i < moverCount; i++) {
                movers.add(Mover.random(random, width, height, scale, moverCount > 5));
            }
            if (noiseAmplitude > 0) {
                noise = new byte[width * height * 3 + 4096];
                SplittableRandom n = new SplittableRandom(mix(seed ^ 0x4015eL));
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (byte) (n.nextInt(2 * noiseAmplitude + 1) - noiseAmplitude);
                }
            } else {
                noise = null;
            }
        }

        @Override
        public byte[] render(long seq) {
            byte[] out = new byte[width * height * 3];
            byte[] bg =
                    backgrounds[cutEvery > 0 ? (int) ((seq / cutEvery) % backgrounds.length) : 0];
            if (pan) {
                int range = panoramaWidth - width;
                int step = Math.max(1, Math.round(2f * width / 256));
                long pos = (seq * step) % (2L * range);
                int offset = (int) (pos <= range ? pos : 2L * range - pos);
                for (int y = 0; y < height; y++) {
                    System.arraycopy(
                            bg, (y * panoramaWidth + offset) * 3, out, y * width * 3, width * 3);
                }
            } else {
                System.arraycopy(bg, 0, out, 0, out.length);
            }
            for (Mover m : movers) {
                m.draw(out, width, height, seq);
            }
            if (lighting) {
                double gain = 0.8 + 0.2 * Math.sin(2 * Math.PI * seq / 200.0);
                byte[] lut = new byte[256];
                for (int i = 0; i < 256; i++) {
                    lut[i] = (byte) Math.min(255, (int) Math.round(i * gain));
                }
                for (int i = 0; i < out.length; i++) {
                    out[i] = lut[out[i] & 0xFF];
                }
            }
            if (noise != null) {
                int offset = (int) (Math.floorMod(mix(seq * 0x9E3779B97F4A7C15L), 4096L));
                for (int i = 0; i < out.length; i++) {
                    int v = (out[i] & 0xFF) + noise[offset + i];
                    out[i] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
            return out;
        }
    }

    /** A corridor: ceiling, walls with doors and panels, a tiled floor, fine baked texture. */
    static byte[] background(long seed, int width, int height) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] out = new byte[width * height * 3];
        int[] wall = {110 + random.nextInt(80), 100 + random.nextInt(80), 90 + random.nextInt(80)};
        int[] floor = {60 + random.nextInt(60), 50 + random.nextInt(60), 40 + random.nextInt(60)};
        int[] ceiling = {
            200 + random.nextInt(40), 200 + random.nextInt(40), 190 + random.nextInt(40)
        };
        int horizon = height / 4 + random.nextInt(Math.max(1, height / 8));
        int floorLine = height * 2 / 3 + random.nextInt(Math.max(1, height / 10));
        int tile = Math.max(4, width / 16);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] base;
                int shade;
                if (y < horizon) {
                    base = ceiling;
                    shade = -(horizon - y) * 20 / Math.max(1, horizon);
                } else if (y < floorLine) {
                    base = wall;
                    shade = ((x / Math.max(2, width / 24)) % 2 == 0) ? 6 : -6;
                } else {
                    base = floor;
                    shade =
                            ((x / tile + (y - floorLine) / Math.max(2, tile / 2)) % 2 == 0)
                                    ? 14
                                    : -14;
                }
                int texture = (int) (mix(seed + (long) y * 131071 + x) & 15) - 8;
                int o = (y * width + x) * 3;
                for (int c = 0; c < 3; c++) {
                    int v = base[c] + shade + texture;
                    out[o + c] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
        }
        int doors = 2 + random.nextInt(4);
        for (int i = 0; i < doors; i++) {
            int dw = Math.max(4, width / 10 + random.nextInt(Math.max(1, width / 12)));
            int dx = random.nextInt(Math.max(1, width - dw));
            int top = horizon + random.nextInt(Math.max(1, (floorLine - horizon) / 3));
            int[] colour = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
            fill(out, width, height, dx, top, dw, floorLine - top, colour);
            int knob = Math.max(1, dw / 8);
            fill(
                    out,
                    width,
                    height,
                    dx + dw - 2 * knob,
                    (top + floorLine) / 2,
                    knob,
                    knob,
                    new int[] {230, 210, 60});
        }
        int lights = 3 + random.nextInt(3);
        for (int i = 0; i < lights; i++) {
            int lw = Math.max(4, width / 14);
            int lx = (i * width) / lights + random.nextInt(Math.max(1, width / lights - lw));
            fill(
                    out,
                    width,
                    height,
                    lx,
                    Math.max(0, horizon / 3),
                    lw,
                    Math.max(2, height / 64),
                    new int[] {255, 255, 240});
        }
        return out;
    }

    static void fill(byte[] out, int width, int height, int x0, int y0, int w, int h, int[] rgb) {
        int xa = Math.max(0, x0);
        int ya = Math.max(0, y0);
        int xb = Math.min(width, x0 + w);
        int yb = Math.min(height, y0 + h);
        byte r = (byte) rgb[0];
        byte g = (byte) rgb[1];
        byte b = (byte) rgb[2];
        for (int y = ya; y < yb; y++) {
            int o = (y * width + xa) * 3;
            for (int x = xa; x < xb; x++) {
                out[o++] = r;
                out[o++] = g;
                out[o++] = b;
            }
        }
    }

    /** A walker (body and head) bouncing between the frame edges at a constant speed. */
    private record Mover(
            double x0, double y0, double vx, double vy, int w, int h, int[] body, int[] head) {

        static Mover random(
                SplittableRandom random, int width, int height, double scale, boolean varied) {
            int w = (int) Math.max(3, Math.round((10 + (varied ? random.nextInt(16) : 4)) * scale));
            int h = (int) Math.max(6, Math.round((28 + (varied ? random.nextInt(24) : 6)) * scale));
            double speed = (0.8 + random.nextDouble() * (varied ? 3.0 : 1.2)) * scale;
            double angle =
                    varied
                            ? random.nextDouble() * 2 * Math.PI
                            : (random.nextBoolean() ? 0 : Math.PI)
                                    + (random.nextDouble() - 0.5) * 0.3;
            return new Mover(
                    random.nextDouble() * (width - w),
                    height * 0.45 + random.nextDouble() * (height * 0.4 - h),
                    speed * Math.cos(angle),
                    speed * Math.sin(angle) * (varied ? 1 : 0.3),
                    w,
                    h,
                    new int[] {random.nextInt(200), random.nextInt(200), random.nextInt(200)},
                    new int[] {
                        200 + random.nextInt(50), 160 + random.nextInt(50), 120 + random.nextInt(50)
                    });
        }

        void draw(byte[] out, int width, int height, long seq) {
            int x = (int) Math.round(bounce(x0 + vx * seq, width - w));
            int y = (int) Math.round(bounce(y0 + vy * seq, height - h));
            int headSize = Math.max(2, w * 2 / 3);
            fill(out, width, height, x + (w - headSize) / 2, y, headSize, headSize, head);
            fill(out, width, height, x, y + headSize, w, h - headSize, body);
        }

        private static double bounce(double v, double max) {
            if (max <= 0) {
                return 0;
            }
            double period = 2 * max;
            double m = v % period;
            if (m < 0) {
                m += period;
            }
            return m <= max ? m : period - m;
        }
    }
}
