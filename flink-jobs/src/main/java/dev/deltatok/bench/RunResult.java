package dev.deltatok.bench;

/**
 * What one run of one mode measured.
 *
 * @param framesPerSecond frames the job tokenized per second over the throughput window, from the
 *     emit times of the deltas that became visible to a read_committed consumer (see {@link
 *     EmitWindow}); for paced runs, visible deltas per second
 * @param frames deltas counted in the throughput window
 * @param cpuFrames deltas that became visible while the CPU time below was measured
 * @param windowSeconds length of the throughput window
 * @param tokensPerFrame token ids per delta (upsert ids plus key-map updates)
 * @param bytesPerFrame serialized delta record value bytes per delta
 * @param jvmCpuSeconds CPU time of the bench JVM (job, producer, consumer) during the window
 * @param brokerCpuSeconds CPU time of the Kafka broker child JVM during the window
 * @param peakHeapMb peak heap of the bench JVM during the run
 * @param peakRssMb peak RSS (VmHWM) of the bench JVM after the run
 * @param brokerPeakRssMb peak RSS of the broker JVM after the run
 * @param latencyMicros send to visible latencies of the latency phase, in microseconds
 * @param inJobMicros for the same deltas, the part of that latency spent before the job emitted the
 *     delta (emit time minus capture time: frames topic, source, batching, tokenizing)
 * @param latencyLoadFps total frames per second offered during the latency phase
 */
public record RunResult(
        String mode,
        int run,
        double framesPerSecond,
        long frames,
        long cpuFrames,
        double windowSeconds,
        double tokensPerFrame,
        double bytesPerFrame,
        double jvmCpuSeconds,
        double brokerCpuSeconds,
        double peakHeapMb,
        double peakRssMb,
        double brokerPeakRssMb,
        long[] latencyMicros,
        long[] inJobMicros,
        double latencyLoadFps) {

    public double cpuSeconds() {
        return jvmCpuSeconds + brokerCpuSeconds;
    }
}
