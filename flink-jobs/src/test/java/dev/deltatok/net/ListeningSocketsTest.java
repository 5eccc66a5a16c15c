package dev.deltatok.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class ListeningSocketsTest {

    @Test
    void decodesProcAddresses() throws Exception {
        assertThat(ListeningSockets.address("0100007F").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(ListeningSockets.address("00000000").getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(ListeningSockets.address("00000000000000000000000001000000").isLoopbackAddress())
                .isTrue();
        assertThat(ListeningSockets.address("00000000000000000000000000000000").isAnyLocalAddress())
                .isTrue();
        // ::ffff:127.0.0.1, as a dual-stack JVM socket bound to 127.0.0.1 shows in tcp6
        assertThat(ListeningSockets.address("0000000000000000FFFF00000100007F").isLoopbackAddress())
                .isTrue();
    }

    @Test
    void findsASocketThisProcessListensOn() throws Exception {
        try (ServerSocket loopback = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket wildcard = new ServerSocket(0)) {
            assertThat(ListeningSockets.ofThisProcessAndDescendants())
                    .anySatisfy(
                            l -> {
                                assertThat(l.port()).isEqualTo(loopback.getLocalPort());
                                assertThat(l.address().isLoopbackAddress()).isTrue();
                            })
                    .anySatisfy(
                            l -> {
                                assertThat(l.port()).isEqualTo(wildcard.getLocalPort());
                                assertThat(l.address().isAnyLocalAddress()).isTrue();
                            });
        }
    }
}
