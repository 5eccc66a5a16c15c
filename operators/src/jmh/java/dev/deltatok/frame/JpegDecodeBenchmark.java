package dev.deltatok.frame;

import dev.deltatok.eval.ImageQuality;
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JPEG frames into the model's 256x256 input on one core: {@code scaled} (the job's path:
 * DCT-domain area resampling) against {@code full} (ImageIO decoding at full size, then area
 * resampling) and {@code scaledBefore} (the scaled decoder before its block-sum and Huffman
 * changes, {@link ScaledJpegDecoderBefore}). Score is frames per second. The frames are 8 pictures
 * of the synthetic {@code busy} scene as JPEG quality 0.8 (4:2:0), or, with {@code
 * -Djpeg.dir=FOLDER}, the {@code .jpg} files of a folder whose names start with the size (e.g.
 * {@code 1280x720-0001.jpg}, from {@code ffmpeg -i CLIP -s 1280x720 -q:v 5
 * FOLDER/1280x720-%04d.jpg}). Setup prints the mean PSNR of scaled against full.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@Threads(1)
public class JpegDecodeBenchmark {

    @Param({"640x480", "1280x720", "1920x1080"})
    public String size;

    private final List<Frame> frames = new ArrayList<>();
    private FrameDecoder scaled;
    private FrameDecoder full;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String[] wh = size.split("x");
        int width = Integer.parseInt(wh[0]);
        int height = Integer.parseInt(wh[1]);
        String dir = System.getProperty("jpeg.dir");
        if (dir != null) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                for (Path p :
                        files.filter(f -> f.getFileName().toString().startsWith(size + "-"))
                                .sorted()
                                .toList()) {
                    frames.add(frame(Files.readAllBytes(p), width, height));
                }
            }
        } else {
            for (int i = 0; i < 8; i++) {
                frames.add(frame(sceneJpeg(width, height, i * 5L), width, height));
            }
        }
        if (frames.isEmpty()) {
            throw new IllegalStateException("no " + size + " JPEG frames in " + dir);
        }
        scaled = new FrameDecoder(FrameLimits.defaults(), 256, 256);
        full = FrameDecoder.withFullJpegDecoding(FrameLimits.defaults(), 256, 256);
        double psnr = 0;
        double psnrBefore = 0;
        long bytes = 0;
        for (Frame f : frames) {
            RgbImage reference = full.decode(f);
            psnr += ImageQuality.psnrDb(scaled.decode(f), reference);
            psnrBefore += ImageQuality.psnrDb(new RgbImage(256, 256, before(f)), reference);
            bytes += f.getData().remaining();
        }
        System.out.printf(
                Locale.ROOT,
                "%n%s: %d frames, mean %.1f KB; PSNR vs full decode + area resample: scaled %.2f dB,"
                        + " scaledBefore %.2f dB%n",
                size,
                frames.size(),
                bytes / 1024.0 / frames.size(),
                psnr / frames.size(),
                psnrBefore / frames.size());
    }

    private Frame nextFrame() {
        Frame f = frames.get(next);
        next = (next + 1) % frames.size();
        return f;
    }

    @Benchmark
    public RgbImage scaled() throws FrameRejectedException {
        return scaled.decode(nextFrame());
    }

    @Benchmark
    public RgbImage full() throws FrameRejectedException {
        return full.decode(nextFrame());
    }

    @Benchmark
    public byte[] scaledBefore() throws Exception {
        return before(nextFrame());
    }

    private static byte[] before(Frame f) throws Exception {
        return ScaledJpegDecoderBefore.decode(f.getData().array(), 256, 256, (w, h) -> {}).rgb();
    }

    private static Frame frame(byte[] jpeg, int width, int height) {
        return Frame.newBuilder()
                .setCameraId("bench")
                .setSeq(0)
                .setCaptureTime(Instant.EPOCH)
                .setFormat(PixelFormat.JPEG)
                .setWidth(width)
                .setHeight(height)
                .setData(ByteBuffer.wrap(jpeg))
                .build();
    }

    private static byte[] sceneJpeg(int width, int height, long seq) throws IOException {
        Frame raw = SyntheticScenes.create("busy", 7, width, height).frame("bench", seq);
        ByteBuffer buf = raw.getData().duplicate();
        byte[] rgb = new byte[buf.remaining()];
        buf.get(rgb);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            px[i] = rgb[i + 2];
            px[i + 1] = rgb[i + 1];
            px[i + 2] = rgb[i];
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
