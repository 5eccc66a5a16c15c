package dev.deltatok.cli;

import dev.deltatok.schema.Frame;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes one {@link LiveCamera}'s frames to a topic, keyed by camera id, paced at a frame rate
 * (or as fast as the producer takes them) until the camera ends, a frame limit is reached, or
 * {@link #stop()}. Runs on its own thread; the producer is shared and thread-safe.
 */
final class FramePublisher implements Runnable {

    /** Counters shared by every publisher of one command, read by the progress display. */
    static final class Stats {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicReference<Throwable> firstError = new AtomicReference<>();
        final AtomicReference<Throwable> sourceError = new AtomicReference<>();
    }

    private final LiveCamera camera;
    private final Producer<String, Frame> producer;
    private final String topic;
    private final double fps;
    private final long maxFrames;
    private final Stats stats;
    private volatile boolean stopped;
    private volatile Frame lastFrame;
    private volatile long published;

    /**
     * @param fps frames per second to pace at; {@code <= 0} publishes as fast as possible
     * @param maxFrames frames to publish; {@code <= 0} until the camera ends or {@link #stop()}
     */
    FramePublisher(
            LiveCamera camera,
            Producer<String, Frame> producer,
            String topic,
            double fps,
            long maxFrames,
            Stats stats) {
        this.camera = camera;
        this.producer = producer;
        this.topic = topic;
        this.fps = fps;
        this.maxFrames = maxFrames;
        this.stats = stats;
    }

    void stop() {
        stopped = true;
    }

    /** The last frame handed to the producer, or null. */
    Frame lastFrame() {
        return lastFrame;
    }

    /** Frames handed to the producer. */
    long published() {
        return published;
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        try {
            while (!stopped && (maxFrames <= 0 || published < maxFrames)) {
                if (fps > 0) {
                    long due = start + (long) (published * 1e9 / fps);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                Frame frame = camera.next();
                if (frame == null) {
                    return;
                }
                int size = frame.getData().remaining();
                producer.send(
                        new ProducerRecord<>(topic, camera.cameraId(), frame),
                        (metadata, error) -> {
                            if (error == null) {
                                stats.acked.incrementAndGet();
                            } else {
                                stats.failed.incrementAndGet();
                                stats.firstError.compareAndSet(null, error);
                            }
                        });
                stats.sent.incrementAndGet();
                stats.bytes.addAndGet(size);
                lastFrame = frame;
                published++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            stats.sourceError.compareAndSet(null, e);
        }
    }
}
