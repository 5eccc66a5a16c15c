package dev.deltatok.eval;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The {@link FrameSource} contract, held by a folder of PNG and JPEG images (and a stray file). */
class ImageFolderFrameSourceContractTest extends FrameSourceContractTest {

    @TempDir Path folder;

    @BeforeEach
    void writeImages() throws IOException {
        for (int i = 0; i < expectedFrames(); i++) {
            BufferedImage image = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(new Color(40 * i, 200 - 30 * i, 90));
            g.fillRect(0, 0, 40, 24);
            g.setColor(Color.WHITE);
            g.fillRect(5 * i, 4, 8, 8);
            g.dispose();
            String format = i % 2 == 0 ? "png" : "jpeg";
            String name = String.format("frame-%02d.%s", i, i % 2 == 0 ? "png" : "jpg");
            ImageIO.write(image, format, folder.resolve(name).toFile());
        }
        Files.writeString(folder.resolve("notes.txt"), "not an image");
    }

    @Override
    protected FrameSource open(String cameraId) throws IOException {
        return new ImageFolderFrameSource(folder, cameraId);
    }

    @Override
    protected int expectedFrames() {
        return 5;
    }
}
