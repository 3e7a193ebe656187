package org.flocksy.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The start-up measurement behind {@code rate = auto}: a real loopback CURVE link, every time. */
class CurveSpeedTest {

    @Test
    void aLoopbackLinkConnectsAndCarriesFramesEveryTime() {
        // With several I/O threads JeroMQ leaves about one handshake in fifty hanging; the short handshake
        // interval must turn each of those into a reconnect, never into a failed start.
        for (int i = 0; i < 25; i++) {
            assertThat(CurveSpeed.measure(Duration.ofMillis(20))).as("try %d", i).isGreaterThan(100);
        }
    }
}
