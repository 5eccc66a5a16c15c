package dev.deltatok.frame;

/**
 * Decodes a baseline JPEG straight into an area-resampled smaller image in the DCT domain: each
 * output pixel is the area average of its footprint in the source, as {@link Resampler} computes it
 * on a fully decoded image, but taken from every 8x8 block's coefficients with precomputed weights
 * (the integral of each cosine basis over the part of the footprint the block covers). No full-size
 * image and no inverse DCT are ever computed; chroma samples count as boxes over the luma pixels
 * they cover.
 *
 * <p>Handles what cameras and ffmpeg send: baseline (SOF0/SOF1) Huffman-coded 8-bit JPEG with one
 * (grey) or three (YCbCr, JFIF) components, sampling factors 1, 2 and 4, restart intervals, 8- and
 * 16-bit quantisation tables. Anything else (progressive, arithmetic coding, 12-bit, CMYK, Adobe
 * RGB, several scans), and any target not smaller than the image on both axes, returns null so that
 * the caller uses the full decoder. Thread-safe (no shared mutable state but a bounded cache of
 * weights).
 */
final class ScaledJpegDecoder {

    /** The decoded image: packed RGB24 rows at {@code width x height}. */
    record Result(int width, int height, byte[] rgb, int sourceWidth, int sourceHeight) {}

    /** Thrown for malformed data; the caller falls back to the full decoder for its message. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Checks a header's declared size before anything is allocated for the pixels. */
    interface SizeCheck {
        void check(int width, int height) throws FrameRejectedException;
    }

    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
        20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
    };

    /** BASIS[u * 8 + x]: sample x of the 1-D inverse DCT basis u, with its 1/2 C(u) factor. */
    private static final double[] BASIS = new double[64];

    static {
        for (int u = 0; u < 8; u++) {
            double cu = u == 0 ? Math.sqrt(0.5) : 1;
            for (int x = 0; x < 8; x++) {
                BASIS[u * 8 + x] = 0.5 * cu * Math.cos((2 * x + 1) * u * Math.PI / 16);
            }
        }
    }

    /**
     * For one axis of one component: per block, the outputs it touches ({@code start[b]}, {@code
     * count[b]}) and for each the weight of each basis, {@code w[b][j * 8 + u]}.
     */
    record Weights(int[] start, int[] count, float[][] w) {

        /**
         * @param size source pixels (luma) on this axis
         * @param out output pixels
         * @param ratio luma pixels per sample of the component (1, 2 or 4)
         * @param blocks blocks of the component on this axis
         */
        static Weights of(int size, int out, int ratio, int blocks) {
            double scale = (double) size / out;
            int[] start = new int[blocks];
            int[] count = new int[blocks];
            float[][] w = new float[blocks][];
            for (int b = 0; b < blocks; b++) {
                double blockLo = (double) ratio * 8 * b;
                double blockHi = Math.min(size, blockLo + ratio * 8);
                if (blockLo >= size) {
                    w[b] = new float[0];
                    continue;
                }
                int first = (int) Math.floor(blockLo / scale);
                int last = Math.min(out - 1, (int) Math.ceil(blockHi / scale) - 1);
                start[b] = first;
                count[b] = last - first + 1;
                w[b] = new float[count[b] * 8];
                for (int j = 0; j < count[b]; j++) {
                    double lo = (first + j) * scale;
                    double hi = Math.min(size, (first + j + 1) * scale);
                    for (int x = 0; x < 8; x++) {
                        double sLo = blockLo + (double) ratio * x;
                        double sHi = Math.min(size, sLo + ratio);
                        double overlap = Math.min(hi, sHi) - Math.max(lo, sLo);
                        if (overlap <= 0) {
                            continue;
                        }
                        for (int u = 0; u < 8; u++) {
                            w[b][j * 8 + u] += (float) (overlap / scale * BASIS[u * 8 + x]);
                        }
                    }
                }
            }
            return new Weights(start, count, w);
        }
    }

    private static final java.util.Map<String, Weights> WEIGHTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static Weights weights(int size, int out, int ratio, int blocks) {
        String key = size + ":" + out + ":" + ratio + ":" + blocks;
        Weights w = WEIGHTS.get(key);
        if (w == null) {
            if (WEIGHTS.size() > 64) {
                WEIGHTS.clear(); // many frame sizes: keep the cache bounded
            }
            w = Weights.of(size, out, ratio, blocks);
            WEIGHTS.put(key, w);
        }
        return w;
    }

    private ScaledJpegDecoder() {}

    /**
     * Decodes {@code data} area-resampled to {@code width x height}.
     *
     * @return the image, or null when the file uses a feature this decoder leaves to the full one,
     *     or when the image is not larger than the target on both axes
     * @throws FrameRejectedException from {@code sizeCheck}
     * @throws Malformed for data that is not a well-formed JPEG
     */
    static Result decode(byte[] data, int width, int height, SizeCheck sizeCheck)
            throws FrameRejectedException, Malformed {
        return new Parser(data).decode(width, height, sizeCheck);
    }

    /** Bits the Huffman tables decode in one look-up. */
    private static final int LOOKAHEAD = 10;

    private static final class Huffman {
        // lookahead of LOOKAHEAD bits: (length << 8) | symbol, or 0 when the code is longer
        final int[] fast = new int[1 << LOOKAHEAD];
        final int[] maxCode = new int[18];
        final int[] valPtr = new int[17];
        final int[] minCode = new int[17];
        final byte[] values;
        // for AC tables: code and magnitude bits together within LOOKAHEAD bits, decoded in one
        // step: (value << 16) | (run << 4) | total length; end of block (EOB) and a run of 16
        // zeros (ZRL) have value 0 and run 0 and 15; or 0 when longer
        final int[] fastAc = new int[1 << LOOKAHEAD];

        Huffman(int[] counts, byte[] values) throws Malformed {
            this.values = values;
            int code = 0;
            int k = 0;
            for (int len = 1; len <= 16; len++) {
                valPtr[len] = k;
                minCode[len] = code;
                code += counts[len];
                k += counts[len];
                maxCode[len] = counts[len] == 0 ? -1 : code - 1;
                if (code > (1 << len)) {
                    throw new Malformed("bad Huffman table");
                }
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
            k = 0;
            code = 0;
            for (int len = 1; len <= LOOKAHEAD; len++) {
                for (int i = 0; i < counts[len]; i++, k++) {
                    int c = (minCode[len] + i) << (LOOKAHEAD - len);
                    int fill = 1 << (LOOKAHEAD - len);
                    for (int j = 0; j < fill; j++) {
                        fast[c + j] = (len << 8) | (values[k] & 0xFF);
                    }
                }
            }
            for (int peek = 0; peek < fast.length; peek++) {
                int e = fast[peek];
                if (e == 0) {
                    continue;
                }
                int len = e >> 8;
                int rs = e & 0xFF;
                int run = rs >> 4;
                int size = rs & 15;
                if (size == 0) {
                    if (run == 0 || run == 15) {
                        fastAc[peek] = (run << 4) | len;
                    }
                    continue;
                }
                if (len + size > LOOKAHEAD) {
                    continue;
                }
                int raw = (peek >> (LOOKAHEAD - len - size)) & ((1 << size) - 1);
                int value = Parser.extend(raw, size);
                fastAc[peek] = (value << 16) | (run << 4) | (len + size);
            }
        }
    }

    private static final class Component {
        int id;
        int h;
        int v;
        int tq;
        int td;
        int ta;
        int pred;
        Weights wx;
        Weights wy;
        float[] plane;
    }

    private static final class Parser {
        private final byte[] d;
        private int pos;
        private final int[][] quant = new int[4][];
        private final Huffman[] dc = new Huffman[4];
        private final Huffman[] ac = new Huffman[4];
        private Component[] comps;
        private int width;
        private int height;
        private int restartInterval;
        private boolean adobeRgb;
        // per touched output row, per horizontal frequency: at most 8 * 4 + 2 rows
        private final float[] tile = new float[8 * 40];
        // bit reader
        private long bits;
        private int nbits;
        private boolean hitMarker;

        Parser(byte[] data) {
            this.d = data;
        }

        private int u8() throws Malformed {
            if (pos >= d.length) {
                throw new Malformed("JPEG ends early");
            }
            return d[pos++] & 0xFF;
        }

        private int u16() throws Malformed {
            return (u8() << 8) | u8();
        }

        Result decode(int outWidth, int outHeight, SizeCheck sizeCheck)
                throws FrameRejectedException, Malformed {
            if (u8() != 0xFF || u8() != 0xD8) {
                throw new Malformed("not a JPEG");
            }
            while (true) {
                int b = u8();
                if (b != 0xFF) {
                    throw new Malformed("expected a marker");
                }
                int marker = u8();
                while (marker == 0xFF) {
                    marker = u8();
                }
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                    continue;
                }
                if (marker == 0xD9) {
                    throw new Malformed("no scan");
                }
                int length = u16();
                if (length < 2 || pos + length - 2 > d.length) {
                    throw new Malformed("bad segment length");
                }
                int end = pos + length - 2;
                switch (marker) {
                    case 0xC0, 0xC1 -> {
                        if (!frame(end, sizeCheck)) {
                            return null;
                        }
                    }
                    case 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> {
                        return null; // progressive, lossless, arithmetic: the full decoder
                    }
                    case 0xC4 -> huffman(end);
                    case 0xDB -> quantisation(end);
                    case 0xDD -> restartInterval = u16();
                    case 0xEE -> adobe(end);
                    case 0xDA -> {
                        return scan(end, outWidth, outHeight);
                    }
                    default -> {
                        // APPn, COM and the like
                    }
                }
                pos = end;
            }
        }

        private boolean frame(int end, SizeCheck sizeCheck)
                throws FrameRejectedException, Malformed {
            int precision = u8();
            height = u16();
            width = u16();
            int n = u8();
            // the header is authoritative: check before any pixel is allocated
            sizeCheck.check(width, height);
            if (precision != 8 || (n != 1 && n != 3)) {
                return false;
            }
            if (pos + 3 * n > end) {
                throw new Malformed("short frame header");
            }
            comps = new Component[n];
            for (int i = 0; i < n; i++) {
                Component c = new Component();
                c.id = u8();
                int hv = u8();
                c.h = n == 1 ? 1 : hv >> 4;
                c.v = n == 1 ? 1 : hv & 15;
                c.tq = u8();
                if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3) {
                    throw new Malformed("bad component");
                }
                comps[i] = c;
            }
            return true;
        }

        private void adobe(int end) throws Malformed {
            if (end - pos >= 12 && d[pos] == 'A' && d[pos + 1] == 'd' && d[pos + 2] == 'o') {
                adobeRgb = (d[pos + 11] & 0xFF) == 0;
            }
        }

        private void quantisation(int end) throws Malformed {
            while (pos < end) {
                int pq = u8();
                int tq = pq & 15;
                if (tq > 3) {
                    throw new Malformed("bad quantisation table");
                }
                int[] table = new int[64];
                for (int i = 0; i < 64; i++) {
                    table[ZIGZAG[i]] = (pq >> 4) == 0 ? u8() : u16();
                }
                quant[tq] = table;
            }
        }

        private void huffman(int end) throws Malformed {
            while (pos < end) {
                int tc = u8();
                int th = tc & 15;
                if (th > 3 || (tc >> 4) > 1) {
                    throw new Malformed("bad Huffman table id");
                }
                int[] counts = new int[17];
                int total = 0;
                for (int i = 1; i <= 16; i++) {
                    counts[i] = u8();
                    total += counts[i];
                }
                if (total > 256 || pos + total > end) {
                    throw new Malformed("bad Huffman table");
                }
                byte[] values = new byte[total];
                System.arraycopy(d, pos, values, 0, total);
                pos += total;
                Huffman h = new Huffman(counts, values);
                if ((tc >> 4) == 0) {
                    dc[th] = h;
                } else {
                    ac[th] = h;
                }
            }
        }

        private Result scan(int end, int outWidth, int outHeight) throws Malformed {
            if (comps == null) {
                throw new Malformed("scan before the frame header");
            }
            int ns = u8();
            if (ns != comps.length || adobeRgb) {
                return null; // several scans, or RGB samples: the full decoder
            }
            boolean[] named = new boolean[comps.length];
            for (int i = 0; i < ns; i++) {
                int id = u8();
                int t = u8();
                int index = -1;
                for (int x = 0; x < comps.length; x++) {
                    if (comps[x].id == id) {
                        index = x;
                    }
                }
                if (index < 0) {
                    throw new Malformed("scan names an unknown component");
                }
                // every component once: a repeated id would leave another without its tables
                if (named[index]) {
                    throw new Malformed("scan names component " + id + " twice");
                }
                named[index] = true;
                Component c = comps[index];
                c.td = t >> 4;
                c.ta = t & 15;
                if (c.td > 3
                        || c.ta > 3
                        || dc[c.td] == null
                        || ac[c.ta] == null
                        || quant[c.tq] == null) {
                    throw new Malformed("scan without its tables");
                }
            }
            int ss = u8();
            int se = u8();
            u8();
            if (ss != 0 || se != 63) {
                return null;
            }
            pos = end;

            int hmax = 1;
            int vmax = 1;
            for (Component c : comps) {
                hmax = Math.max(hmax, c.h);
                vmax = Math.max(vmax, c.v);
            }
            if (outWidth > width
                    || outHeight > height
                    || (outWidth == width && outHeight == height)) {
                return null; // enlarging or nothing to save
            }
            int mcuW = 8 * hmax;
            int mcuH = 8 * vmax;
            int mcusX = (width + mcuW - 1) / mcuW;
            int mcusY = (height + mcuH - 1) / mcuH;
            for (Component c : comps) {
                if (hmax % c.h != 0 || vmax % c.v != 0) {
                    return null; // sampling factors of 3: the full decoder
                }
                c.wx = weights(width, outWidth, hmax / c.h, mcusX * c.h);
                c.wy = weights(height, outHeight, vmax / c.v, mcusY * c.v);
                c.plane = new float[outWidth * outHeight];
            }
            decodeScan(mcusX, mcusY, outWidth);
            return new Result(outWidth, outHeight, toRgb(outWidth, outHeight), width, height);
        }

        private void decodeScan(int mcusX, int mcusY, int stride) throws Malformed {
            int mcu = 0;
            int total = mcusX * mcusY;
            for (int my = 0; my < mcusY; my++) {
                for (int mx = 0; mx < mcusX; mx++) {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                        restart();
                    }
                    for (Component c : comps) {
                        Huffman dch = dc[c.td];
                        Huffman ach = ac[c.ta];
                        int[] q = quant[c.tq];
                        for (int by = 0; by < c.v; by++) {
                            for (int bx = 0; bx < c.h; bx++) {
                                block(c, dch, ach, q, mx * c.h + bx, my * c.v + by, stride);
                            }
                        }
                    }
                    mcu++;
                }
            }
            if (mcu != total) {
                throw new Malformed("scan ended early");
            }
        }

        /**
         * Decodes one block and adds its share of every output pixel it touches. Each AC
         * coefficient goes, as it is decoded, into the touched output rows' weight per horizontal
         * frequency ({@code tile}); then the pass across the touched output columns. Doing the
         * first pass while decoding lets the processor overlap the arithmetic with the bit reading.
         */
        private void block(
                Component c, Huffman dch, Huffman ach, int[] q, int bx, int by, int stride)
                throws Malformed {
            int ny = c.wy.count()[by];
            int nx = c.wx.count()[bx];
            if (nx == 0) {
                ny = 0; // padding beyond the image: decode, add nothing
            }
            float[] wy = c.wy.w()[by];
            float[] t = tile;
            int t0 = symbol(dch);
            int diff = t0 == 0 ? 0 : extend(receive(t0), t0);
            c.pred += diff;
            float dcValue = c.pred * q[0];
            int used = 0;
            int[] fastAc = ach.fastAc;
            for (int k = 1; k < 64; ) {
                if (nbits < 16) {
                    fill();
                }
                int f = fastAc[(int) (bits >>> (64 - LOOKAHEAD))];
                int z;
                float val;
                if (f != 0) {
                    int len = f & 15;
                    bits <<= len;
                    nbits -= len;
                    if (f >>> 16 == 0) {
                        if ((f & 0xF0) == 0) {
                            break; // end of block
                        }
                        k += 16;
                        continue;
                    }
                    k += (f >> 4) & 15;
                    if (k > 63) {
                        throw new Malformed("coefficient index out of range");
                    }
                    z = ZIGZAG[k];
                    val = (f >> 16) * q[z];
                } else {
                    int rs = symbol(ach);
                    int r = rs >> 4;
                    int s = rs & 15;
                    if (s == 0) {
                        if (r != 15) {
                            break;
                        }
                        k += 16;
                        continue;
                    }
                    k += r;
                    if (k > 63) {
                        throw new Malformed("coefficient index out of range");
                    }
                    z = ZIGZAG[k];
                    val = extend(receive(s), s) * q[z];
                }
                k++;
                int u = z >> 3; // vertical frequency
                int v = z & 7; // horizontal frequency
                used |= 1 << v;
                switch (ny) {
                    case 0 -> {}
                    case 1 -> t[v] += val * wy[u];
                    case 2 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                    }
                    case 3 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                    }
                    case 4 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                        t[24 + v] += val * wy[24 + u];
                    }
                    case 5 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                        t[24 + v] += val * wy[24 + u];
                        t[32 + v] += val * wy[32 + u];
                    }
                    case 6 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                        t[24 + v] += val * wy[24 + u];
                        t[32 + v] += val * wy[32 + u];
                        t[40 + v] += val * wy[40 + u];
                    }
                    case 7 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                        t[24 + v] += val * wy[24 + u];
                        t[32 + v] += val * wy[32 + u];
                        t[40 + v] += val * wy[40 + u];
                        t[48 + v] += val * wy[48 + u];
                    }
                    case 8 -> {
                        t[v] += val * wy[u];
                        t[8 + v] += val * wy[8 + u];
                        t[16 + v] += val * wy[16 + u];
                        t[24 + v] += val * wy[24 + u];
                        t[32 + v] += val * wy[32 + u];
                        t[40 + v] += val * wy[40 + u];
                        t[48 + v] += val * wy[48 + u];
                        t[56 + v] += val * wy[56 + u];
                    }
                    default -> {
                        for (int j = 0; j < ny; j++) {
                            t[j * 8 + v] += val * wy[j * 8 + u];
                        }
                    }
                }
            }
            if (ny == 0) {
                return;
            }
            float[] wx = c.wx.w()[bx];
            int y0 = c.wy.start()[by];
            int x0 = c.wx.start()[bx];
            float[] out = c.plane;
            if (used == 0) {
                // DC only (flat areas): the block adds the same level to what it covers
                for (int j = 0; j < ny; j++) {
                    float tj = dcValue * wy[j * 8];
                    int o = (y0 + j) * stride + x0;
                    for (int i = 0; i < nx; i++) {
                        out[o + i] += tj * wx[i * 8];
                    }
                }
                return;
            }
            for (int j = 0; j < ny; j++) {
                t[j * 8] += dcValue * wy[j * 8];
            }
            // t is all zero between blocks: the pass across puts back every value it reads, and
            // reads every value the block set (the horizontal frequencies in used)
            if (used < 1 << 2) {
                for (int j = 0; j < ny; j++) {
                    int o = (y0 + j) * stride + x0;
                    int tj = j * 8;
                    float a0 = t[tj];
                    float a1 = t[tj + 1];
                    t[tj] = 0f;
                    t[tj + 1] = 0f;
                    for (int i = 0; i < nx; i++) {
                        int wi = i * 8;
                        out[o + i] += a0 * wx[wi] + a1 * wx[wi + 1];
                    }
                }
                return;
            }
            if (used < 1 << 4) {
                // only the four lowest horizontal frequencies: most blocks of camera pictures
                for (int j = 0; j < ny; j++) {
                    int o = (y0 + j) * stride + x0;
                    int tj = j * 8;
                    float a0 = t[tj];
                    float a1 = t[tj + 1];
                    float a2 = t[tj + 2];
                    float a3 = t[tj + 3];
                    t[tj] = 0f;
                    t[tj + 1] = 0f;
                    t[tj + 2] = 0f;
                    t[tj + 3] = 0f;
                    for (int i = 0; i < nx; i++) {
                        int wi = i * 8;
                        out[o + i] +=
                                a0 * wx[wi] + a1 * wx[wi + 1] + a2 * wx[wi + 2] + a3 * wx[wi + 3];
                    }
                }
                return;
            }
            if (used < 1 << 6) {
                for (int j = 0; j < ny; j++) {
                    int o = (y0 + j) * stride + x0;
                    int tj = j * 8;
                    float a0 = t[tj];
                    float a1 = t[tj + 1];
                    float a2 = t[tj + 2];
                    float a3 = t[tj + 3];
                    float a4 = t[tj + 4];
                    float a5 = t[tj + 5];
                    t[tj] = 0f;
                    t[tj + 1] = 0f;
                    t[tj + 2] = 0f;
                    t[tj + 3] = 0f;
                    t[tj + 4] = 0f;
                    t[tj + 5] = 0f;
                    for (int i = 0; i < nx; i++) {
                        int wi = i * 8;
                        out[o + i] +=
                                a0 * wx[wi]
                                        + a1 * wx[wi + 1]
                                        + a2 * wx[wi + 2]
                                        + a3 * wx[wi + 3]
                                        + a4 * wx[wi + 4]
                                        + a5 * wx[wi + 5];
                    }
                }
                return;
            }
            for (int j = 0; j < ny; j++) {
                int o = (y0 + j) * stride + x0;
                int tj = j * 8;
                float a0 = t[tj];
                float a1 = t[tj + 1];
                float a2 = t[tj + 2];
                float a3 = t[tj + 3];
                float a4 = t[tj + 4];
                float a5 = t[tj + 5];
                float a6 = t[tj + 6];
                float a7 = t[tj + 7];
                t[tj] = 0f;
                t[tj + 1] = 0f;
                t[tj + 2] = 0f;
                t[tj + 3] = 0f;
                t[tj + 4] = 0f;
                t[tj + 5] = 0f;
                t[tj + 6] = 0f;
                t[tj + 7] = 0f;
                for (int i = 0; i < nx; i++) {
                    int wi = i * 8;
                    out[o + i] +=
                            a0 * wx[wi]
                                    + a1 * wx[wi + 1]
                                    + a2 * wx[wi + 2]
                                    + a3 * wx[wi + 3]
                                    + a4 * wx[wi + 4]
                                    + a5 * wx[wi + 5]
                                    + a6 * wx[wi + 6]
                                    + a7 * wx[wi + 7];
                }
            }
        }

        private byte[] toRgb(int outW, int outH) {
            byte[] rgb = new byte[outW * outH * 3];
            if (comps.length == 1) {
                Component g = comps[0];
                for (int y = 0; y < outH; y++) {
                    int src = y * outW;
                    int o = y * outW * 3;
                    for (int x = 0; x < outW; x++) {
                        byte v = clamp(g.plane[src + x] + 128f);
                        rgb[o++] = v;
                        rgb[o++] = v;
                        rgb[o++] = v;
                    }
                }
                return rgb;
            }
            Component yc = comps[0];
            float[] cbPlane = comps[1].plane;
            float[] crPlane = comps[2].plane;
            // planes hold area averages without the level shift: Y + 128, Cb and Cr centred on 0
            for (int y = 0; y < outH; y++) {
                int row = y * outW;
                int o = row * 3;
                for (int x = 0; x < outW; x++) {
                    float lum = yc.plane[row + x] + 128f;
                    float u = cbPlane[row + x];
                    float v = crPlane[row + x];
                    rgb[o++] = clamp(lum + 1.402f * v);
                    rgb[o++] = clamp(lum - 0.344136f * u - 0.714136f * v);
                    rgb[o++] = clamp(lum + 1.772f * u);
                }
            }
            return rgb;
        }

        private static byte clamp(float v) {
            int i = (int) (v + 0.5f); // truncation toward zero only matters below 0, clamped anyway
            if ((i & ~0xFF) != 0) {
                i = ~i >>> 31 == 0 ? 0 : 255; // below 0 or above 255
            }
            return (byte) i;
        }

        // ---- entropy-coded data

        private void fill() {
            while (nbits <= 56) {
                int b = 0;
                if (!hitMarker && pos < d.length) {
                    b = d[pos] & 0xFF;
                    if (b == 0xFF) {
                        int next = pos + 1 < d.length ? d[pos + 1] & 0xFF : 0xD9;
                        if (next == 0x00) {
                            pos += 2;
                        } else {
                            hitMarker = true;
                            b = 0;
                        }
                    } else {
                        pos++;
                    }
                }
                bits |= (long) b << (56 - nbits);
                nbits += 8;
            }
        }

        private int symbol(Huffman h) throws Malformed {
            if (nbits < 16) {
                fill();
            }
            int peek = (int) (bits >>> (64 - LOOKAHEAD));
            int e = h.fast[peek];
            if (e != 0) {
                int len = e >> 8;
                bits <<= len;
                nbits -= len;
                return e & 0xFF;
            }
            int code = (int) (bits >>> 63);
            int len = 1;
            while (code > h.maxCode[len]) {
                len++;
                if (len > 16) {
                    throw new Malformed("bad Huffman code");
                }
                code = (int) (bits >>> (64 - len));
            }
            bits <<= len;
            nbits -= len;
            return h.values[h.valPtr[len] + code - h.minCode[len]] & 0xFF;
        }

        private int receive(int s) {
            if (nbits < s) {
                fill();
            }
            int v = (int) (bits >>> (64 - s));
            bits <<= s;
            nbits -= s;
            return v;
        }

        private static int extend(int v, int s) {
            return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
        }

        private void restart() throws Malformed {
            bits = 0;
            nbits = 0;
            hitMarker = false;
            // skip to the RSTn marker
            while (pos + 1 < d.length
                    && !((d[pos] & 0xFF) == 0xFF
                            && (d[pos + 1] & 0xFF) >= 0xD0
                            && (d[pos + 1] & 0xFF) <= 0xD7)) {
                pos++;
            }
            if (pos + 1 >= d.length) {
                throw new Malformed("missing restart marker");
            }
            pos += 2;
            for (Component c : comps) {
                c.pred = 0;
            }
        }
    }
}
