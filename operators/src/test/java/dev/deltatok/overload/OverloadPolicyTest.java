package dev.deltatok.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deltatok.overload.OverloadPolicy.Decision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OverloadPolicyTest {

    // Target 400 ms: degrade past 200 ms, a step settles for 100 ms, quiet below 100 ms for 800 ms.
    private static final OverloadSettings SETTINGS =
            new OverloadSettings(true, Duration.ofMillis(400), 0.25);

    @Test
    void keepsTheFullBudgetWhileFramesAreYoungerThanHalfTheTarget() {
        OverloadPolicy policy = new OverloadPolicy(SETTINGS);

        assertThat(policy.observe(0, 0)).isEqualTo(Decision.FULL);
        assertThat(policy.observe(10, 200)).isEqualTo(Decision.FULL);
        assertThat(policy.coalescing()).isFalse();
    }

    @Test
    void shrinksTheBudgetAtOncePastHalfTheTarget() {
        OverloadPolicy policy = new OverloadPolicy(SETTINGS);

        Decision d = policy.observe(0, 201);

        assertThat(d.level()).isEqualTo(1);
        assertThat(d.budgetScale()).isEqualTo(0.5);
        assertThat(d.coalesce()).isFalse();
    }

    @Test
    void shrinksFurtherThenCoalescesOnlyWhileTheAgeKeepsGrowing() {
        OverloadPolicy policy = new OverloadPolicy(SETTINGS);
        policy.observe(0, 250);
        // Too soon after the last step: it has not had time to show.
        assertThat(policy.observe(50, 300).level()).isEqualTo(1);
        // Settled and still growing: the smallest budget.
        Decision smallest = policy.observe(100, 350);
        assertThat(smallest.level()).isEqualTo(2);
        assertThat(smallest.budgetScale()).isEqualTo(0.25);
        assertThat(smallest.coalesce()).isFalse();
        // Past half the target but no longer growing: the smaller budget is enough.
        assertThat(policy.observe(300, 340).level()).isEqualTo(2);
        // Growing again: coalesce, at the smallest budget.
        Decision coalesce = policy.observe(400, 500);
        assertThat(coalesce.coalesce()).isTrue();
        assertThat(coalesce.budgetScale()).isEqualTo(0.25);
        assertThat(coalesce.level()).isEqualTo(policy.coalesceLevel()).isEqualTo(3);
        assertThat(policy.coalescing()).isTrue();
        // The top of the ladder.
        assertThat(policy.observe(1000, 5000).level()).isEqualTo(3);
    }

    @Test
    void recoversOneLevelPerQuietSpellOfTwiceTheTarget() {
        OverloadPolicy policy = coalescing();

        assertThat(policy.observe(10_000, 50).level()).isEqualTo(3);
        assertThat(policy.observe(10_799, 50).level()).isEqualTo(3);
        assertThat(policy.observe(10_800, 50).level()).isEqualTo(2);
        assertThat(policy.observe(11_599, 50).level()).isEqualTo(2);
        assertThat(policy.observe(11_600, 50).level()).isEqualTo(1);
        assertThat(policy.observe(12_400, 50)).isEqualTo(Decision.FULL);
        assertThat(policy.observe(20_000, 50)).isEqualTo(Decision.FULL);
    }

    @Test
    void anAgeBetweenAQuarterAndHalfTheTargetNeitherRecoversNorDegrades() {
        OverloadPolicy policy = coalescing();
        policy.observe(10_000, 50);
        // Not quiet enough: the quiet spell starts over.
        assertThat(policy.observe(10_500, 150).level()).isEqualTo(3);
        policy.observe(10_600, 50);
        assertThat(policy.observe(11_300, 50).level()).isEqualTo(3);
        assertThat(policy.observe(11_400, 50).level()).isEqualTo(2);
    }

    @Test
    void anAgePastHalfTheTargetEndsTheQuietSpell() {
        OverloadPolicy policy = coalescing();
        policy.observe(10_000, 50);
        policy.observe(10_700, 300);
        assertThat(policy.observe(10_800, 50).level()).isEqualTo(3);
        assertThat(policy.observe(11_600, 50).level()).isEqualTo(2);
    }

    @Test
    void offNeverDegrades() {
        OverloadPolicy policy =
                new OverloadPolicy(new OverloadSettings(false, Duration.ofMillis(400), 0.25));

        for (long t = 0; t < 10_000; t += 100) {
            assertThat(policy.observe(t, t * 10)).isEqualTo(Decision.FULL);
        }
        assertThat(policy.coalescing()).isFalse();
    }

    @Test
    void aMinimumScaleOfOneGoesStraightToCoalescing() {
        OverloadPolicy policy =
                new OverloadPolicy(new OverloadSettings(true, Duration.ofMillis(400), 1.0));

        Decision d = policy.observe(0, 300);

        assertThat(d.coalesce()).isTrue();
        assertThat(d.budgetScale()).isEqualTo(1.0);
    }

    @Test
    void validatesItsSettings() {
        assertThatThrownBy(() -> new OverloadSettings(true, Duration.ZERO, 0.25))
                .hasMessageContaining("latencyTarget")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new OverloadSettings(true, Duration.ofSeconds(1), 0))
                .hasMessageContaining("minBudgetScale must be in (0, 1], got 0.0");
    }

    /** A policy driven up to coalescing by ages growing from t = 0 to 400 ms. */
    private static OverloadPolicy coalescing() {
        OverloadPolicy policy = new OverloadPolicy(SETTINGS);
        policy.observe(0, 250);
        policy.observe(100, 350);
        policy.observe(200, 450);
        assertThat(policy.coalescing()).isTrue();
        return policy;
    }
}
