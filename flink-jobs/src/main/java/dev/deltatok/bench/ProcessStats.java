package dev.deltatok.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * CPU time and memory of this JVM and of the Kafka broker child process, from the JDK's management
 * beans and Linux {@code /proc}. Values that a platform does not offer read as 0 or NaN.
 */
final class ProcessStats {

    private ProcessStats() {}

    /** CPU time of this JVM in nanoseconds (all threads, user + system). */
    static long jvmCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The Kafka broker child JVM of this process, if there is one. */
    static Optional<ProcessHandle> broker() {
        return ProcessHandle.current()
                .children()
                .filter(
                        p ->
                                p.info()
                                        .arguments()
                                        .map(
                                                a ->
                                                        java.util.Arrays.asList(a)
                                                                .contains("kafka.Kafka"))
                                        .orElse(false))
                .findFirst();
    }

    /** CPU time of {@code process} in nanoseconds, 0 when the platform does not say. */
    static long cpuNanos(Optional<ProcessHandle> process) {
        return process.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    /** Resets the peak-usage counters of the heap pools and, where Linux allows, of RSS. */
    static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        try {
            // "5" resets VmHWM to the current RSS (Linux 4.0+); refused in some containers
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // then VmHWM is the peak since the JVM started
        }
    }

    /** Sum of the heap pools' peak usage since {@link #resetPeaks()}, in MiB. */
    static double peakHeapMb() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    /** Peak resident set size (VmHWM) of process {@code pid} in MiB, NaN when unknown. */
    static double peakRssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return Double.NaN;
    }
}
