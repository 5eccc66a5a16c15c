package dev.deltatok.delta;

import dev.deltatok.delta.Plan.Assignment;
import dev.deltatok.delta.Plan.Refresh;
import dev.deltatok.model.EncodedPatches;
import dev.deltatok.model.ModelSpec;
import dev.deltatok.reference.ReferencePolicy;
import dev.deltatok.schema.DeltaKind;
import dev.deltatok.schema.KeyframeReason;
import dev.deltatok.state.CameraState;
import dev.deltatok.table.TokenTableView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Budget packing (ElasticTok's error budget): from a frame's encoder output and what the consumer
 * holds, decides which positions get new tokens and how many levels each, as a {@link Plan}. Reads
 * the camera's state, never changes it. Stateless; one instance serves every camera of a thread.
 *
 * <p>Each patch's error budget is {@code errorBudget} plus {@code errorBudgetRatio} times its own
 * all-level error. In a DELTA, for each encoded (changed) position:
 *
 * <ol>
 *   <li>if the consumer's slot holds exactly the leading token ids of the new encoding and that
 *       prefix meets the budget, nothing is sent (the reference moves to the current pixels);
 *   <li>else, if its latent moved less than {@code latentThreshold} from the slot's latent, nothing
 *       is sent; else its current excess error is estimated as the held excess plus the squared
 *       block-mean drift since the reference, and under the budget nothing is sent;
 *   <li>else, with merging on ({@code mergeDistance > 0}), the held tokens and the nearest live
 *       slot within {@code mergeDistance} are decoded against the patch ({@link PatchFit}, one
 *       decoder call per frame): if the held tokens meet the budget nothing is sent (the reference
 *       moves); if the nearest slot does, it is a candidate costing one key-map token;
 *   <li>else it is a candidate with the fewest residual levels whose error is within the budget of
 *       the all-level error, cost {@code levels + 1} tokens (or 1 when the table already has the
 *       appearance).
 * </ol>
 *
 * A reuse is thus never taken on a latent distance alone: the error it leaves is measured, so the
 * declared error bound holds with merging on.
 *
 * <p>Candidates are sent by excess reduction per token, boosted by how many frames they have
 * waited, until {@code maxTokensPerFrame}. What does not fit waits for a later frame; if the
 * frame's mean estimated excess then exceeds the keyframe error bound, the frame becomes an
 * ERROR_BOUND KEYFRAME carrying every candidate, unless its picture sits at a global-motion offset
 * (a keyframe is shown at none): then the delta carries every candidate itself. A keyframe decided
 * before encoding gives every position the fewest levels meeting the budget (every level in FULL
 * mode). No position gets more than {@code maxLevels} levels.
 *
 * <p>Under overload a frame carries a budget scale below 1: the token cap is multiplied by it, the
 * error budget and the keyframe error bound divided by it, so fewer tokens and fewer levels per
 * patch are sent, and the error the consumer is left with grows by at most the inverse scale.
 */
public final class BudgetPacker {

    private final ModelSpec spec;
    private final TokenizerSettings settings;
    private final ReferencePolicy policy;
    private final int maxLevels;

    public BudgetPacker(ModelSpec spec, TokenizerSettings settings, ReferencePolicy policy) {
        this.spec = spec;
        this.settings = settings;
        this.policy = policy;
        this.maxLevels = settings.levelsFor(spec.levels());
    }

    /**
     * Plans one frame.
     *
     * @param encoded the encoder output of a batch holding the frame's patches from row {@code
     *     frame.batchRow()}
     */
    public Plan plan(PreparedFrame frame, CameraState state, EncodedPatches encoded, PatchFit fit) {
        if (frame.keyframeReason() != KeyframeReason.NONE) {
            return keyframe(frame, encoded);
        }
        return delta(frame, state, encoded, fit);
    }

    private Plan keyframe(PreparedFrame frame, EncodedPatches encoded) {
        boolean allLevels = frame.keyframeReason() == KeyframeReason.FULL_MODE;
        int[] selected = frame.positions();
        List<Assignment> assignments = new ArrayList<>(selected.length);
        for (int i = 0; i < selected.length; i++) {
            int row = frame.batchRow() + i;
            float best = encoded.levelError(row, spec.levels() - 1);
            double budget = budget(frame, best);
            int levels = allLevels ? maxLevels : fewestLevels(encoded, row, best, budget);
            float error = encoded.levelError(row, levels - 1);
            assignments.add(
                    new Assignment(
                            selected[i],
                            tokens(encoded, row, levels),
                            encoded.latents(),
                            row * spec.latentDim(),
                            error,
                            Math.max(0, error - best)));
        }
        return new Plan(
                DeltaKind.KEYFRAME,
                frame.keyframeReason(),
                assignments,
                List.of(),
                new int[0],
                new int[0],
                null);
    }

    /** One sendable change: a position, the leading levels of its new encoding, its priority. */
    private record Candidate(Assignment change, int cost, double priority) {
        int position() {
            return change.position();
        }
    }

    /**
     * A changed position that needs more than the drift estimate allows: its own encoding, an
     * identical slot if the table has one, and the nearest other slot worth checking.
     */
    private record Pending(
            int position,
            int row,
            float best,
            int held,
            boolean heldMeasured,
            double estimatedExcess,
            int[] tokens,
            int existing,
            int near) {}

    private Plan delta(
            PreparedFrame frame, CameraState state, EncodedPatches encoded, PatchFit fit) {
        TokenTableView table = state.table();
        int positions = spec.patchesPerFrame();
        int maxTokens = settings.maxTokensPerFrame(frame.budgetScale());
        boolean merging = settings.mergeDistance() > 0;
        float[] driftAfter = frame.drift().clone();
        float[] excess = new float[positions];
        for (int p = 0; p < positions; p++) {
            excess[p] = state.heldExcess(p);
        }
        List<Refresh> refreshed = new ArrayList<>();
        int[] settled = new int[frame.encodedCount()];
        int settledCount = 0;
        List<Pending> pending = new ArrayList<>();
        int[] selected = frame.positions();
        for (int i = 0; i < selected.length; i++) {
            int p = selected[i];
            int row = frame.batchRow() + i;
            float best = encoded.levelError(row, spec.levels() - 1);
            double budget = budget(frame, best);
            int held = state.slotAt(p);
            int[] heldTokens = table.tokens(held);
            double currentExcess;
            boolean prefix = isPrefix(heldTokens, encoded, row);
            if (prefix) {
                float exactError = encoded.levelError(row, heldTokens.length - 1);
                double exactExcess = Math.max(0, exactError - best);
                if (exactExcess <= budget) {
                    // The consumer already holds what this frame encodes to.
                    refreshed.add(new Refresh(p, exactError, (float) exactExcess));
                    excess[p] = (float) exactExcess;
                    driftAfter[p] = 0;
                    continue;
                }
                currentExcess = exactExcess;
            } else {
                if (settings.latentThreshold() > 0
                        && table.relativeDistance(held, encoded.latents(), row * spec.latentDim())
                                < settings.latentThreshold()) {
                    settled[settledCount++] = p;
                    continue;
                }
                currentExcess = state.heldExcess(p) + frame.drift()[p];
                if (currentExcess <= budget) {
                    settled[settledCount++] = p;
                    continue;
                }
            }
            int levels = fewestLevels(encoded, row, best, budget);
            int[] tokens = tokens(encoded, row, levels);
            int existing = table.find(tokens);
            if (existing == held) {
                // The held tokens are the most this position may get.
                settled[settledCount++] = p;
                continue;
            }
            int near = -1;
            if (existing < 0 && merging) {
                near =
                        table.findNear(
                                encoded.latents(),
                                row * spec.latentDim(),
                                0,
                                settings.mergeDistance());
            }
            pending.add(
                    new Pending(p, row, best, held, prefix, currentExcess, tokens, existing, near));
        }
        // Reuse is measured, not guessed: the held appearance and the nearest slot are decoded
        // against the patch, and only one within the budget is kept or reused.
        int[] checkRows = new int[merging ? 2 * pending.size() : 0];
        int[][] checkTokens = new int[checkRows.length][];
        int checks = 0;
        if (merging) {
            for (Pending q : pending) {
                if (q.existing() < 0) {
                    if (!q.heldMeasured()) {
                        checkRows[checks] = q.row();
                        checkTokens[checks++] = table.tokens(q.held());
                    }
                    if (q.near() >= 0 && q.near() != q.held()) {
                        checkRows[checks] = q.row();
                        checkTokens[checks++] = table.tokens(q.near());
                    }
                }
            }
        }
        float[] checked = checks == 0 ? new float[0] : fit.errors(checkRows, checkTokens, checks);
        int next = 0;
        List<Candidate> candidates = new ArrayList<>();
        for (Pending q : pending) {
            int p = q.position();
            double budget = budget(frame, q.best());
            double currentExcess = q.estimatedExcess();
            int[] tokens = q.tokens();
            int cost = tokens.length + 1;
            float newError = encoded.levelError(q.row(), tokens.length - 1);
            float newExcess = Math.max(0, newError - q.best());
            if (q.existing() >= 0) {
                cost = 1;
            } else if (merging) {
                if (!q.heldMeasured()) {
                    float heldError = checked[next++];
                    float heldExcess = Math.max(0, heldError - q.best());
                    if (heldExcess <= budget) {
                        // What the consumer holds still fits this frame within the budget.
                        refreshed.add(new Refresh(p, heldError, heldExcess));
                        excess[p] = heldExcess;
                        driftAfter[p] = 0;
                        if (q.near() >= 0 && q.near() != q.held()) {
                            next++;
                        }
                        continue;
                    }
                    currentExcess = heldExcess;
                }
                if (q.near() >= 0 && q.near() != q.held()) {
                    float nearError = checked[next++];
                    float nearExcess = Math.max(0, nearError - q.best());
                    if (nearExcess <= budget) {
                        tokens = table.tokens(q.near()).clone();
                        cost = 1;
                        newError = nearError;
                        newExcess = nearExcess;
                    }
                }
            }
            double gain = Math.max(1e-9, currentExcess - newExcess);
            double priority = gain / cost * (1 + state.waiting(p));
            candidates.add(
                    new Candidate(
                            new Assignment(
                                    p,
                                    tokens,
                                    encoded.latents(),
                                    q.row() * spec.latentDim(),
                                    newError,
                                    newExcess),
                            cost,
                            priority));
        }
        settled = Arrays.copyOf(settled, settledCount);
        candidates.sort(
                Comparator.comparingDouble((Candidate c) -> -c.priority())
                        .thenComparingInt(Candidate::position));
        List<Assignment> sent = new ArrayList<>();
        List<Candidate> deferred = new ArrayList<>();
        int used = 0;
        for (Candidate c : candidates) {
            if (used + c.cost() <= maxTokens) {
                sent.add(c.change());
                used += c.cost();
            } else {
                deferred.add(c);
            }
        }
        boolean[] isSent = new boolean[positions];
        for (Assignment a : sent) {
            isSent[a.position()] = true;
        }
        double excessAfter = 0;
        for (int p = 0; p < positions; p++) {
            if (!isSent[p]) {
                excessAfter += excess[p] + driftAfter[p];
            }
        }
        for (Assignment a : sent) {
            excessAfter += a.excess();
        }
        boolean overBound =
                policy.exceedsErrorBound(
                        excessAfter / positions, !deferred.isEmpty(), frame.budgetScale());
        if (overBound && frame.motion().offsetX() == 0 && frame.motion().offsetY() == 0) {
            List<Assignment> all = new ArrayList<>(candidates.size());
            for (Candidate c : candidates) {
                all.add(c.change());
                driftAfter[c.position()] = 0;
            }
            return new Plan(
                    DeltaKind.KEYFRAME,
                    KeyframeReason.ERROR_BOUND,
                    all,
                    refreshed,
                    settled,
                    new int[0],
                    driftAfter);
        }
        if (overBound) {
            // A keyframe is shown at no offset, and this frame's picture sits at one: instead of
            // escalating, the delta carries every candidate, as the keyframe would have.
            sent.clear();
            for (Candidate c : candidates) {
                sent.add(c.change());
            }
            deferred.clear();
        }
        int[] waiting = new int[deferred.size()];
        for (int i = 0; i < waiting.length; i++) {
            waiting[i] = deferred.get(i).position();
        }
        sent.sort(Comparator.comparingInt(Assignment::position));
        for (Assignment a : sent) {
            driftAfter[a.position()] = 0;
        }
        return new Plan(
                DeltaKind.DELTA,
                KeyframeReason.NONE,
                sent,
                refreshed,
                settled,
                waiting,
                driftAfter);
    }

    private int[] tokens(EncodedPatches encoded, int row, int levels) {
        return Arrays.copyOfRange(
                encoded.tokens(), row * spec.levels(), row * spec.levels() + levels);
    }

    private static boolean isPrefix(int[] held, EncodedPatches encoded, int row) {
        int base = row * encoded.levels();
        for (int l = 0; l < held.length; l++) {
            if (held[l] != encoded.tokens()[base + l]) {
                return false;
            }
        }
        return true;
    }

    /** The error budget of a patch whose all-level error is {@code best}, at the frame's scale. */
    private double budget(PreparedFrame frame, float best) {
        return settings.patchBudget(best, frame.budgetScale());
    }

    /**
     * Fewest leading levels whose error is within the budget of the all-level error, at most {@code
     * maxLevels}.
     */
    private int fewestLevels(EncodedPatches encoded, int row, float best, double budget) {
        for (int l = 1; l < maxLevels; l++) {
            if (encoded.levelError(row, l - 1) - best <= budget) {
                return l;
            }
        }
        return maxLevels;
    }
}
