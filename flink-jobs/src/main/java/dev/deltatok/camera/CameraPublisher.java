package dev.deltatok.camera;

import dev.deltatok.schema.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes {@link LiveCamera}s' frames to a topic, keyed by camera id, each camera paced at a
 * frame rate (or as fast as the producer takes them) until its source ends, a frame limit is
 * reached or {@link #stop()}. The cameras are sent from a thread each, or round robin from one
 * thread (one sender paced at the cameras' total rate). The producer is shared and must be
 * thread-safe, as Kafka's is. {@code produce}, {@code demo} and {@code bench} publish through it.
 */
public final class CameraPublisher {

    /** Counters of one publisher, updated by its threads and the producer's callbacks. */
    public static final class Stats {
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong acked = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicReference<Throwable> kafkaError = new AtomicReference<>();
        private final AtomicReference<Throwable> sourceError = new AtomicReference<>();

        /** Frames handed to the producer. */
        public long sent() {
            return sent.get();
        }

        /** Frames Kafka acknowledged. */
        public long acked() {
            return acked.get();
        }

        /** Frames Kafka refused. */
        public long failed() {
            return failed.get();
        }

        /** Bytes of frame data handed to the producer. */
        public long bytes() {
            return bytes.get();
        }

        /** The first error Kafka reported for a frame, or null. */
        public Throwable kafkaError() {
            return kafkaError.get();
        }

        /** The first error reading a camera's source (which stops its sending thread), or null. */
        public Throwable sourceError() {
            return sourceError.get();
        }
    }

    private final List<List<LiveCamera>> senders;
    private final Producer<String, Frame> producer;
    private final String topic;
    private final double fps;
    private final long maxFrames;
    private final UnaryOperator<Frame> beforeSend;
    private final String threadName;
    private final boolean daemon;
    private final Stats stats = new Stats();
    private final Map<String, Frame> lastFrames = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> published = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    private CameraPublisher(Builder b) {
        if (b.cameras.isEmpty()) {
            throw new IllegalArgumentException("no cameras to publish");
        }
        this.senders = new ArrayList<>();
        if (b.oneThread) {
            senders.add(List.copyOf(b.cameras));
        } else {
            b.cameras.forEach(c -> senders.add(List.of(c)));
        }
        this.producer = b.producer;
        this.topic = b.topic;
        this.fps = b.fps;
        this.maxFrames = b.maxFrames;
        this.beforeSend = b.beforeSend;
        this.threadName = b.threadName;
        this.daemon = b.daemon;
        b.cameras.forEach(c -> published.put(c.cameraId(), new AtomicLong()));
    }

    /**
     * A publisher of {@code cameras} to {@code topic}; as fast as possible until told otherwise.
     */
    public static Builder builder(
            List<LiveCamera> cameras, Producer<String, Frame> producer, String topic) {
        return new Builder(cameras, producer, topic);
    }

    /** How a {@link CameraPublisher} paces and threads its cameras. */
    public static final class Builder {
        private final List<LiveCamera> cameras;
        private final Producer<String, Frame> producer;
        private final String topic;
        private double fps;
        private long maxFrames;
        private boolean oneThread;
        private boolean daemon;
        private String threadName = "publish";
        private UnaryOperator<Frame> beforeSend = UnaryOperator.identity();

        private Builder(List<LiveCamera> cameras, Producer<String, Frame> producer, String topic) {
            this.cameras = List.copyOf(cameras);
            this.producer = producer;
            this.topic = topic;
        }

        /**
         * Frames per second per camera; {@code <= 0} (the default) publishes as fast as possible.
         */
        public Builder fps(double fps) {
            this.fps = fps;
            return this;
        }

        /**
         * Frames per camera; {@code <= 0} (the default) until the source ends or {@link #stop()}.
         */
        public Builder maxFrames(long maxFrames) {
            this.maxFrames = maxFrames;
            return this;
        }

        /**
         * Sends every camera round robin from one thread, paced at the cameras' total rate, instead
         * of a thread per camera.
         */
        public Builder oneThread() {
            this.oneThread = true;
            return this;
        }

        /** Daemon threads, which do not keep the JVM alive. */
        public Builder daemon() {
            this.daemon = true;
            return this;
        }

        /** Threads are named {@code NAME-CAMERA} ({@code NAME} with {@link #oneThread()}). */
        public Builder threadName(String name) {
            this.threadName = name;
            return this;
        }

        /** Applied to each frame, on the sending thread, just before it is sent. */
        public Builder beforeSend(UnaryOperator<Frame> beforeSend) {
            this.beforeSend = beforeSend;
            return this;
        }

        public CameraPublisher build() {
            return new CameraPublisher(this);
        }
    }

    /** Starts the sending threads; once. */
    public synchronized CameraPublisher start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (List<LiveCamera> cameras : senders) {
            String name =
                    senders.size() == 1 && cameras.size() > 1
                            ? threadName
                            : threadName + "-" + cameras.get(0).cameraId();
            Thread t = new Thread(() -> send(cameras), name);
            t.setDaemon(daemon);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return this;
    }

    /** Asks every sending thread to stop after its current frame. */
    public void stop() {
        stopped = true;
    }

    /** Whether a sending thread is still running. */
    public synchronized boolean isPublishing() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /**
     * Waits up to {@code millis} in all for the sending threads to end.
     *
     * @return whether every thread ended
     */
    public boolean join(long millis) throws InterruptedException {
        List<Thread> started;
        synchronized (this) {
            started = List.copyOf(threads);
        }
        // capped so that the sum cannot overflow: Long.MAX_VALUE waits as good as forever
        long deadline =
                System.nanoTime()
                        + Math.min(TimeUnit.MILLISECONDS.toNanos(millis), Long.MAX_VALUE / 4);
        for (Thread t : started) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                break;
            }
            t.join(left);
        }
        return started.stream().noneMatch(Thread::isAlive);
    }

    public Stats stats() {
        return stats;
    }

    /** The last frame of {@code cameraId} handed to the producer, or null. */
    public Frame lastFrame(String cameraId) {
        return lastFrames.get(cameraId);
    }

    /** Frames of {@code cameraId} handed to the producer. */
    public long published(String cameraId) {
        AtomicLong n = published.get(cameraId);
        return n == null ? 0 : n.get();
    }

    /**
     * Sends {@code cameras} round robin from this thread: frame {@code i} of the round robin is due
     * {@code i / (fps * cameras)} seconds after the start, so each camera gets {@code fps}.
     */
    private void send(List<LiveCamera> cameras) {
        List<LiveCamera> live = new ArrayList<>(cameras);
        double totalFps = fps * cameras.size();
        long start = System.nanoTime();
        long i = 0;
        try {
            while (!stopped && !live.isEmpty()) {
                LiveCamera camera = live.get((int) (i % live.size()));
                AtomicLong count = published.get(camera.cameraId());
                if (maxFrames > 0 && count.get() >= maxFrames) {
                    live.remove(camera);
                    continue;
                }
                if (totalFps > 0) {
                    long due = start + (long) (i * 1e9 / totalFps);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                Frame frame = camera.next();
                if (frame == null) {
                    live.remove(camera);
                    continue;
                }
                frame = beforeSend.apply(frame);
                int size = frame.getData().remaining();
                producer.send(
                        new ProducerRecord<>(topic, camera.cameraId(), frame),
                        (metadata, error) -> {
                            if (error == null) {
                                stats.acked.incrementAndGet();
                            } else {
                                stats.failed.incrementAndGet();
                                stats.kafkaError.compareAndSet(null, error);
                            }
                        });
                stats.sent.incrementAndGet();
                stats.bytes.addAndGet(size);
                lastFrames.put(camera.cameraId(), frame);
                count.incrementAndGet();
                i++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            stats.sourceError.compareAndSet(null, e);
        }
    }
}
