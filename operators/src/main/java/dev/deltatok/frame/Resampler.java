package dev.deltatok.frame;

/**
 * Separable resize of interleaved RGB bytes: per axis, area averaging when shrinking (each output
 * pixel is the coverage-weighted mean of the input pixels it spans, so no aliasing) and bilinear
 * interpolation with pixel centres aligned when enlarging. Stateless and thread-safe.
 */
final class Resampler {

    private Resampler() {}

    static byte[] resize(byte[] src, int sw, int sh, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src;
        }
        Axis ax = Axis.of(sw, dw);
        Axis ay = Axis.of(sh, dh);
        // Horizontal pass: sh rows of dw pixels.
        float[] mid = new float[sh * dw * 3];
        for (int y = 0; y < sh; y++) {
            int srcRow = y * sw * 3;
            int midRow = y * dw * 3;
            for (int x = 0; x < dw; x++) {
                float r = 0;
                float g = 0;
                float b = 0;
                for (int k = ax.start[x]; k < ax.start[x + 1]; k++) {
                    int s = srcRow + ax.index[k] * 3;
                    float w = ax.weight[k];
                    r += w * (src[s] & 0xFF);
                    g += w * (src[s + 1] & 0xFF);
                    b += w * (src[s + 2] & 0xFF);
                }
                int m = midRow + x * 3;
                mid[m] = r;
                mid[m + 1] = g;
                mid[m + 2] = b;
            }
        }
        byte[] out = new byte[dw * dh * 3];
        int rowLength = dw * 3;
        float[] acc = new float[rowLength];
        for (int y = 0; y < dh; y++) {
            java.util.Arrays.fill(acc, 0f);
            for (int k = ay.start[y]; k < ay.start[y + 1]; k++) {
                int m = ay.index[k] * rowLength;
                float w = ay.weight[k];
                for (int i = 0; i < rowLength; i++) {
                    acc[i] += w * mid[m + i];
                }
            }
            int o = y * rowLength;
            for (int i = 0; i < rowLength; i++) {
                int v = Math.round(acc[i]);
                out[o + i] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
        return out;
    }

    /** Per output pixel, the input pixels and weights (summing to 1) it is made of. */
    private record Axis(int[] start, int[] index, float[] weight) {

        static Axis of(int src, int dst) {
            if (src == dst) {
                int[] start = new int[dst + 1];
                int[] index = new int[dst];
                float[] weight = new float[dst];
                for (int i = 0; i < dst; i++) {
                    start[i + 1] = i + 1;
                    index[i] = i;
                    weight[i] = 1f;
                }
                return new Axis(start, index, weight);
            }
            return src > dst ? shrink(src, dst) : enlarge(src, dst);
        }

        private static Axis shrink(int src, int dst) {
            double scale = (double) src / dst;
            int max = (int) Math.ceil(scale) + 2;
            int[] start = new int[dst + 1];
            int[] index = new int[dst * max];
            float[] weight = new float[dst * max];
            int n = 0;
            for (int i = 0; i < dst; i++) {
                double lo = i * scale;
                double hi = Math.min(src, (i + 1) * scale);
                for (int s = (int) Math.floor(lo); s < hi; s++) {
                    double overlap = Math.min(hi, s + 1) - Math.max(lo, s);
                    if (overlap > 1e-9) {
                        index[n] = s;
                        weight[n] = (float) (overlap / scale);
                        n++;
                    }
                }
                start[i + 1] = n;
            }
            return new Axis(start, index, weight);
        }

        private static Axis enlarge(int src, int dst) {
            double scale = (double) src / dst;
            int[] start = new int[dst + 1];
            int[] index = new int[dst * 2];
            float[] weight = new float[dst * 2];
            for (int i = 0; i < dst; i++) {
                double x = (i + 0.5) * scale - 0.5;
                x = Math.max(0, Math.min(src - 1, x));
                int x0 = (int) Math.floor(x);
                int x1 = Math.min(src - 1, x0 + 1);
                float f = (float) (x - x0);
                index[2 * i] = x0;
                weight[2 * i] = 1 - f;
                index[2 * i + 1] = x1;
                weight[2 * i + 1] = f;
                start[i + 1] = 2 * (i + 1);
            }
            return new Axis(start, index, weight);
        }
    }
}
