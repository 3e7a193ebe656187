package org.flocksy.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which configured nodes share this machine's cores (they divide the rate = auto limit among them). */
class EndpointTest {
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(textBlock = """
            tcp://127.0.0.1:7000,   true
            127.0.0.2:7000,         true
            tcp://localhost:7000,   true
            tcp://[::1]:7000,       true
            ipc:///tmp/flocksy.ipc, true
            tcp://192.0.2.1:7000,   false
            tcp://example.org:7000, false
            tcp://[2001:db8::1]:7000, false
            tcp://10.0.0.256:7000,  false
            tcp://[1.2.3.999]:7000, false
            tcp://0.0.0.0:7000,     true
            """)
    void onThisMachine(String endpoint, boolean here) {
        assertThat(Endpoint.onThisMachine(endpoint)).isEqualTo(here);
    }
}
