// Kafka record bytes per frame, raw RGB24 against JPEG (ImageIO's default quality, what
// `deltatok produce --format JPEG` publishes), for the synthetic scenes at two sizes.
//   jshell --class-path flink-jobs/target/deltatok.jar bench/frame-bytes.jsh
// Averages 50 frames of one camera per scene; the value is the Avro-encoded Frame as FrameSerde
// writes it to the frames topic.
import dev.deltatok.scene.SyntheticScenes;
import dev.deltatok.schema.Frame;
import dev.deltatok.schema.PixelFormat;
import dev.deltatok.wire.FrameSerde;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;

byte[] jpeg(byte[] rgb, int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0, i = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i += 3) {
            img.setRGB(x, y, ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff));
        }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
}

FrameSerde serde = new FrameSerde();
System.out.println("| scene | size | raw RGB24 bytes/frame | JPEG bytes/frame | JPEG/raw |");
System.out.println("| --- | --- | --- | --- | --- |");
for (String size : new String[] {"256x256", "1280x720"}) {
    int w = Integer.parseInt(size.split("x")[0]), h = Integer.parseInt(size.split("x")[1]);
    for (String name : new String[] {"static", "corridor", "busy"}) {
        var scene = SyntheticScenes.create(name, SyntheticScenes.seedFor("cam-0"), w, h);
        long raw = 0, jpg = 0;
        int n = 50;
        for (int seq = 0; seq < n; seq++) {
            Frame f = scene.frame("cam-0", seq);
            raw += serde.serialize("deltatok.frames", f).length;
            Frame j = Frame.newBuilder(f).setFormat(PixelFormat.JPEG)
                    .setData(ByteBuffer.wrap(jpeg(scene.render(seq), w, h))).build();
            jpg += serde.serialize("deltatok.frames", j).length;
        }
        System.out.printf("| %s | %s | %,d | %,d | %.3f |%n", name, size, raw / n, jpg / n, (double) jpg / raw);
    }
}
/exit
