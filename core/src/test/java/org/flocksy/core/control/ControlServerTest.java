package org.flocksy.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.fsm.FlockTiming;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.testing.TestPlugins;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The control socket of a real node (two nodes over real CURVE sockets): private, and every command answers. */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlServerTest {
    private static final Blake2b BLAKE2B = Blake2b.load();
    private final List<Node> nodes = new ArrayList<>();
    private List<LocalFlock.Member> members;
    private ControlServer server;
    private Path socket;

    private Path dir;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        members = LocalFlock.create(dir, 2);
        for (LocalFlock.Member m : members) {
            Node node = Node.create(m.settings(), TestPlugins.catalog(), BLAKE2B, new SystemClock(), FlockTiming.defaults());
            nodes.add(node);
            node.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.machine().connectedPeers() == 1));
        socket = dir.resolve("home/.flocksy.d/control.sock");
        server = ControlServer.start(socket, new Console(nodes.get(0), PluginControl.NONE, (n, level) -> List.of("12:00:00.000 INFO  hello")));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        nodes.forEach(Node::close);
    }

    private Reply call(String... words) throws Exception {
        try (ControlClient client = ControlClient.connect(socket)) {
            return client.call(List.of(words));
        }
    }

    @Test
    void onlyItsUserCanReachTheSocket() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        assertThatThrownBy(() -> ControlServer.start(socket, null)).hasMessageContaining("another flocksy is running");
    }

    @Test
    void statusBoxesNodesKeysTrafficAndLogAnswer() throws Exception {
        Reply status = call("status");
        assertThat(status.ok()).isTrue();
        assertThat(status.text()).contains("READY", "1 of 1 peer(s) connected", members.get(1).hostname());
        assertThat(((JsonNode) status.data()).path("peers").get(0).path("connected").asBoolean()).isTrue();
        assertThat(call("boxes").text()).contains("demo", members.get(0).box().toString(), "syncing");
        assertThat(call("nodes").text()).contains(members.get(1).hostname(), "connected");
        assertThat(call("keys").text()).contains(members.get(0).hostname());
        Reply traffic = call("traffic");
        assertThat(((JsonNode) traffic.data()).path("sent").path("heartbeat").path("frames").asLong()).isPositive();
        assertThat(call("log", "5", "warn").data().toString()).contains("hello");
        assertThat(call("help", "versions").text()).contains("versions BOX PATH");
    }

    @Test
    void badInputGetsOneLineAndChangesNothing() throws Exception {
        assertThat(call("bogus").text()).isEqualTo("unknown command 'bogus' (try 'help')");
        assertThat(call("box", "pause", "nope").text()).startsWith("no box 'nope' (boxes: demo)");
        assertThat(call("versions", "demo").text()).startsWith("usage: versions BOX PATH");
        assertThat(call("versions", "demo", "../etc/passwd").ok()).isFalse();
        assertThat(call("conflicts", "resolve", "demo", "a.txt", "keep-local").text()).contains("is not a conflict copy");
        assertThat(call("node", "add", "tcp://10.0.0.9:5671", "not-a-key").text()).contains("is not a public key");
        assertThat(call("log", "lots").ok()).isFalse();
        try (var raw = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            raw.write(java.nio.ByteBuffer.wrap("not json\n".getBytes()));
            java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(4096);
            raw.read(answer);
            assertThat(new String(answer.array(), 0, answer.position())).contains("\"ok\":false", "one JSON object per line");
        }
        assertThat(call("status").ok()).as("still answering").isTrue();
    }

    @Test
    void pauseResumeRescanAndVersionsOfARealBox() throws Exception {
        assertThat(call("box", "pause", "demo").text()).contains("paused");
        assertThat(call("boxes").text()).contains("paused");
        assertThat(call("box", "resume", "demo").ok()).isTrue();
        assertThat(call("boxes").text()).contains("syncing");
        assertThat(call("box", "rescan", "demo").text()).contains("change(s) waiting");

        // A peer's overwrite keeps the old content as a version; the shell lists and restores it.
        Path mine = members.get(0).box().resolve("notes.txt");
        Path theirs = members.get(1).box().resolve("notes.txt");
        Files.writeString(mine, "first");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(theirs) && Files.readString(theirs).equals("first"));
        Files.writeString(theirs, "second, from the peer");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(mine).equals("second, from the peer"));
        Reply versions = call("versions", "demo", "notes.txt");
        assertThat(versions.text()).contains("  1  ");
        Reply restored = call("versions", "restore", "demo", "notes.txt", "1");
        assertThat(restored.ok()).as(restored.text()).isTrue();
        assertThat(mine).hasContent("first");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(theirs).equals("first"));
        assertThat(call("versions", "restore", "demo", "notes.txt", "9").text()).contains("no version 9");
    }
}
