package dev.deltatok.bench;

import java.util.List;

/**
 * What an overload window measured: frames published at {@code factor} times the mode's measured
 * throughput, and what became of them.
 *
 * @param factor offered load over the mode's median throughput
 * @param offeredFps total frames per second published
 * @param framesIn frames published whose capture time lies in the window
 * @param framesTokenized deltas of those frames
 * @param framesSkipped frames those deltas report as skipped under overload
 * @param framesUnaccounted frames neither tokenized nor reported as skipped: per camera, the seq
 *     gap between consecutive deltas minus the skips the later one reports (0 when every frame is
 *     accounted for)
 * @param gaps deltaSeq gaps seen by the consumer (0: gap-free)
 * @param frameAgeMs per delta, emit time minus capture time, in milliseconds
 * @param tokensPerFrame token ids per delta
 * @param psnrDb mean PSNR of the mirror, reconstructed after each sampled delta, against the source
 *     frame at model resolution; NaN when not measured
 * @param psnrSamples deltas reconstructed for {@code psnrDb}
 * @param seconds per second of the window: frame age p99 and max, mean budget scale, frames skipped
 */
public record OverloadResult(
        double factor,
        double offeredFps,
        long framesIn,
        long framesTokenized,
        long framesSkipped,
        long framesUnaccounted,
        long gaps,
        long[] frameAgeMs,
        double tokensPerFrame,
        double psnrDb,
        int psnrSamples,
        List<Second> seconds) {

    /** One second of the window. */
    public record Second(
            int second,
            long deltas,
            double frameAgeMsP99,
            long frameAgeMsMax,
            double budgetScale,
            long skipped) {}
}
