package org.flocksy.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class BindProbeTest {
    @Test
    void tellsAnAddressInUseFromOneThatIsNotOnThisHost() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(BindProbe.reason("tcp://127.0.0.1:" + taken.getLocalPort())).isEqualTo("address already in use");
        }
        // 192.0.2.0/24 is TEST-NET-1: never assigned to a host. Binding only; nothing is sent.
        assertThat(BindProbe.reason("tcp://192.0.2.1:5671")).isEqualTo("not an address of this host");
    }
}
