package dev.deltatok.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws rate-distortion curves as a PNG with Java2D (no display needed): tokens per frame on a log
 * axis against mirror PSNR (left panel) and SSIM (right panel), one polyline per series.
 */
final class RateDistortionChart {

    /** One measured point of a series. */
    record Point(String series, String label, double tokensPerFrame, double psnrDb, double ssim) {}

    private static final int PANEL_W = 560;
    private static final int PANEL_H = 400;
    private static final int MARGIN_L = 64;
    private static final int MARGIN_R = 20;
    private static final int MARGIN_T = 44;
    private static final int MARGIN_B = 56;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
    };

    private RateDistortionChart() {}

    /**
     * @param series the series to draw, in legend order, as {@link Point#series()} names them
     * @param legends a legend line per series
     */
    static void write(
            String title, List<String> series, List<String> legends, List<Point> points, Path file)
            throws IOException {
        int width = 2 * (MARGIN_L + PANEL_W + MARGIN_R);
        int height = MARGIN_T + PANEL_H + MARGIN_B + 20 * series.size();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, MARGIN_L, 22);
            panel(g, 0, "mirror PSNR (dB)", series, points, Point::psnrDb, "%.1f");
            panel(
                    g,
                    MARGIN_L + PANEL_W + MARGIN_R,
                    "mirror SSIM",
                    series,
                    points,
                    Point::ssim,
                    "%.3f");
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int s = 0; s < series.size(); s++) {
                int y = MARGIN_T + PANEL_H + MARGIN_B + 14 + 20 * s;
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(MARGIN_L, y - 9, 24, 4);
                g.setColor(Color.BLACK);
                g.drawString(legends.get(s), MARGIN_L + 32, y - 3);
            }
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer");
        }
    }

    private static void panel(
            Graphics2D g,
            int x0,
            String yTitle,
            List<String> series,
            List<Point> points,
            ToDoubleFunction<Point> y,
            String yFormat) {
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMin = Double.MAX_VALUE;
        double yMax = -Double.MAX_VALUE;
        for (Point p : points) {
            double t = Math.max(1, p.tokensPerFrame());
            xMin = Math.min(xMin, t);
            xMax = Math.max(xMax, t);
            yMin = Math.min(yMin, y.applyAsDouble(p));
            yMax = Math.max(yMax, y.applyAsDouble(p));
        }
        double lx0 = Math.floor(Math.log10(xMin));
        double lx1 = Math.ceil(Math.log10(xMax));
        if (lx1 <= lx0) {
            lx1 = lx0 + 1;
        }
        double pad = Math.max(1e-3, (yMax - yMin) * 0.1);
        double y0 = yMin - pad;
        double y1 = yMax + pad;
        int left = x0 + MARGIN_L;
        int top = MARGIN_T;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 5; i++) {
            int py = top + PANEL_H - i * PANEL_H / 5;
            g.drawLine(left, py, left + PANEL_W, py);
        }
        for (double d = lx0; d <= lx1; d++) {
            for (int m = 1; m < 10 && d + Math.log10(m) <= lx1; m++) {
                int px = left + (int) ((d + Math.log10(m) - lx0) / (lx1 - lx0) * PANEL_W);
                g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xeeeeee));
                g.drawLine(px, top, px, top + PANEL_H);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, PANEL_W, PANEL_H);
        for (int i = 0; i <= 5; i++) {
            int py = top + PANEL_H - i * PANEL_H / 5;
            String label = String.format(Locale.ROOT, yFormat, y0 + (y1 - y0) * i / 5);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), py + 4);
        }
        for (double d = lx0; d <= lx1; d++) {
            int px = left + (int) ((d - lx0) / (lx1 - lx0) * PANEL_W);
            String label = String.format(Locale.ROOT, "%.0f", Math.pow(10, d));
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, top + PANEL_H + 16);
        }
        g.drawString("tokens per frame (log scale)", left + PANEL_W / 2 - 80, top + PANEL_H + 36);
        g.drawString(yTitle, left, top - 6);
        for (int s = 0; s < series.size(); s++) {
            String name = series.get(s);
            g.setColor(COLORS[s % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            Path2D line = new Path2D.Double();
            boolean first = true;
            for (Point p : points) {
                if (!p.series().equals(name)) {
                    continue;
                }
                double px =
                        left
                                + (Math.log10(Math.max(1, p.tokensPerFrame())) - lx0)
                                        / (lx1 - lx0)
                                        * PANEL_W;
                double py = top + PANEL_H - (y.applyAsDouble(p) - y0) / (y1 - y0) * PANEL_H;
                if (first) {
                    line.moveTo(px, py);
                    first = false;
                } else {
                    line.lineTo(px, py);
                }
                g.fillOval((int) px - 4, (int) py - 4, 8, 8);
            }
            g.draw(line);
        }
    }
}
