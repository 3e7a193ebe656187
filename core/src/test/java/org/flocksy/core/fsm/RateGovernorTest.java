package org.flocksy.core.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import org.flocksy.core.timing.RateLimit;
import org.junit.jupiter.api.Test;

/** An auto limit falls when a run could not be carried and climbs back as runs go well; a fixed one stays put. */
class RateGovernorTest {
    @Test
    void anAutoLimitFallsOnOverloadAndClimbsUpToItsCeiling() {
        RateGovernor governor = new RateGovernor(RateLimit.adaptive(4_000, 8_000, "auto: test"));
        governor.overloaded(4_000, "a peer went silent");
        assertThat(governor.current()).isEqualTo(2_800);
        assertThat(governor.now().why()).contains("auto: test", "now 2,800 after a run at 4,000 frames/s failed (a peer went silent)");
        governor.overloaded(1_000, "slower run");
        assertThat(governor.current()).as("below the failed run's rate").isEqualTo(700);
        governor.carried(300);
        assertThat(governor.current()).as("a run far below the limit says nothing about it").isEqualTo(700);
        for (int i = 0; i < 100; i++) {
            governor.carried(governor.current());
        }
        assertThat(governor.current()).as("never again past 0.9 of a rate that failed").isEqualTo(900);
        governor.remeasured(RateLimit.adaptive(3_000, 12_000, "auto: a lower measurement"));
        for (int i = 0; i < 100; i++) {
            governor.carried(governor.current());
        }
        assertThat(governor.current()).as("after a new measurement, up to the ceiling, never past it").isEqualTo(8_000);
        governor.overloaded(50, "the slowest run");
        assertThat(governor.current()).as("never below the least a run may have").isEqualTo(50);
    }

    @Test
    void aLaterMeasurementThatSaysMoreRaisesTheLimitAndItsCeiling() {
        RateGovernor governor = new RateGovernor(RateLimit.adaptive(100, 400, "auto: measured beside starting processes"));
        governor.remeasured(RateLimit.adaptive(80, 320, "auto: less"));
        assertThat(governor.current()).as("a measurement that says less is not kept").isEqualTo(100);
        governor.remeasured(RateLimit.adaptive(3_000, 12_000, "auto: measured again"));
        assertThat(governor.now()).isEqualTo(new RateLimit(3_000, 12_000, "auto: measured again"));
        for (int i = 0; i < 100; i++) {
            governor.carried(governor.current());
        }
        assertThat(governor.current()).as("up to the new ceiling").isEqualTo(12_000);

        RateGovernor fixed = new RateGovernor(RateLimit.fixed(2_000, "rate = 2000 (config:3)"));
        fixed.remeasured(RateLimit.adaptive(3_000, 12_000, "auto"));
        assertThat(fixed.current()).isEqualTo(2_000);
    }

    @Test
    void aFixedLimitNeverMoves() {
        RateGovernor governor = new RateGovernor(RateLimit.fixed(2_000, "rate = 2000 (config:3)"));
        governor.overloaded(2_000, "a peer went silent");
        governor.carried(2_000);
        assertThat(governor.current()).isEqualTo(2_000);
        assertThat(governor.now().why()).isEqualTo("rate = 2000 (config:3)");
    }
}
