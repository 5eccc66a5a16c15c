package dev.deltatok.eval;

import dev.deltatok.frame.RgbImage;

/** PSNR and SSIM between two images of equal size. */
public final class ImageQuality {

    /** PSNR of identical images (instead of infinity). */
    public static final double MAX_PSNR_DB = 100.0;

    private ImageQuality() {}

    /** Mean squared error over all RGB values, values scaled to [0, 1]. */
    public static double mse(RgbImage a, RgbImage b) {
        checkSameSize(a, b);
        byte[] x = a.data();
        byte[] y = b.data();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            int d = (x[i] & 0xFF) - (y[i] & 0xFF);
            sum += d * d;
        }
        return sum / (x.length * 255.0 * 255.0);
    }

    /** Peak signal-to-noise ratio in dB over RGB (peak 255), capped at {@link #MAX_PSNR_DB}. */
    public static double psnrDb(RgbImage a, RgbImage b) {
        double mse = mse(a, b);
        return mse <= 0 ? MAX_PSNR_DB : Math.min(MAX_PSNR_DB, 10 * Math.log10(1 / mse));
    }

    /**
     * Mean SSIM on luma (BT.601 weights) over non-overlapping 8x8 windows, with the usual constants
     * {@code C1 = (0.01 L)^2, C2 = (0.03 L)^2}, L = 255.
     */
    public static double ssim(RgbImage a, RgbImage b) {
        checkSameSize(a, b);
        int w = a.width();
        int h = a.height();
        double[] la = luma(a);
        double[] lb = luma(b);
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        int win = 8;
        double total = 0;
        int windows = 0;
        for (int y0 = 0; y0 + win <= h; y0 += win) {
            for (int x0 = 0; x0 + win <= w; x0 += win) {
                double sa = 0;
                double sb = 0;
                double saa = 0;
                double sbb = 0;
                double sab = 0;
                for (int y = y0; y < y0 + win; y++) {
                    for (int x = x0; x < x0 + win; x++) {
                        double va = la[y * w + x];
                        double vb = lb[y * w + x];
                        sa += va;
                        sb += vb;
                        saa += va * va;
                        sbb += vb * vb;
                        sab += va * vb;
                    }
                }
                int n = win * win;
                double ma = sa / n;
                double mb = sb / n;
                double va = saa / n - ma * ma;
                double vb = sbb / n - mb * mb;
                double cov = sab / n - ma * mb;
                total +=
                        ((2 * ma * mb + c1) * (2 * cov + c2))
                                / ((ma * ma + mb * mb + c1) * (va + vb + c2));
                windows++;
            }
        }
        return windows == 0 ? 1.0 : total / windows;
    }

    private static double[] luma(RgbImage image) {
        byte[] d = image.data();
        double[] out = new double[image.width() * image.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    0.299 * (d[3 * i] & 0xFF)
                            + 0.587 * (d[3 * i + 1] & 0xFF)
                            + 0.114 * (d[3 * i + 2] & 0xFF);
        }
        return out;
    }

    private static void checkSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("sizes differ: " + a + " vs " + b);
        }
    }
}
