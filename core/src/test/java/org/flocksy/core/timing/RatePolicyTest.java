package org.flocksy.core.timing;

import static org.assertj.core.api.Assertions.assertThat;

import org.flocksy.core.config.Declared;
import org.flocksy.core.config.RateSetting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** This node's rate limit from its settings, its peers and what one CURVE link carries here. */
class RatePolicyTest {
    @ParameterizedTest(name = "rate {0}, max-bandwidth {1} B/s, {2} peers ({3} here), link {4} frames/s: {5}")
    @CsvSource(textBlock = """
            # rate, bandwidth, peers, here, link,   limit, why contains
            auto,   ,          2,     0,    51200,  12800, half of it over 2 peer(s)
            auto,   ,          2,     2,    51200,  4266,  shared by the 3 flock nodes on this machine
            auto,   ,          2,     1,    51200,  6400,  shared by the 2 flock nodes
            auto,   ,          15,    0,    51200,  1706,  over 15 peer(s)
            auto,   ,          0,     0,    51200,  25600, over 1 peer(s)
            auto,   ,          2,     0,    20,     50,    raised to the least
            auto,   ,          1,     0,    900000, 50000, lowered to the most
            2000,   ,          2,     2,    0,      2000,  rate = 2000 (config:7)
            2000,   10485760,  2,     0,    0,      1260,  max-bandwidth 10.0 MiB/s (config:8) allows 1,260
            2000,   104857600, 2,     0,    0,      2000,  rate = 2000
            auto,   1000,      2,     0,    51200,  50,    raised to the least
            """)
    void limits(String rate, Long bandwidth, int peers, int here, double link, int limit, String why) {
        RateSetting setting = new RateSetting(rate.equals("auto") ? null : new Declared<>(Integer.parseInt(rate), "config:7"),
                bandwidth == null ? null : new Declared<>(bandwidth, "config:8"));
        RateLimit chosen = RatePolicy.limit(setting, peers, here, link);
        assertThat(chosen.framesPerSecond()).isEqualTo(limit);
        assertThat(chosen.why()).contains(why);
    }
}
