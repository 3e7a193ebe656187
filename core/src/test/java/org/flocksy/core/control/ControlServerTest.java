package org.flocksy.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flocksy.core.clock.SystemClock;
import org.flocksy.core.config.KeyFiles;
import org.flocksy.core.crypto.Blake2b;
import org.flocksy.core.kernel.LocalFlock;
import org.flocksy.core.kernel.Node;
import org.flocksy.core.plugin.PluginControl;
import org.flocksy.core.testing.TestPlugins;
import org.flocksy.core.timing.FlockTiming;
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
    private Path config;
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
        config = dir.resolve("home/.flocksy");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "# the node's config\n");
        server = ControlServer.start(socket, new Console(nodes.get(0), PluginControl.NONE, (n, level) -> List.of("12:00:00.000 INFO  hello"),
                config));
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
        String peer = members.get(1).hostname();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode row = ((JsonNode) call("traffic").data()).path("peers").path(peer);
            return row.path("in").path("frames").asLong() > 0 && row.path("out").path("frames").asLong() > 0;
        });
        assertThat(call("traffic").text()).containsPattern(Pattern.quote(peer) + " +in \\d+ frames \\(\\d+ B\\), out \\d+ frames");
        assertThat(call("log", "5", "warn").data().toString()).contains("hello");
        assertThat(call("help", "versions").text()).contains("versions BOX PATH");
    }

    @Test
    void badInputGetsOneLineAndChangesNothing() throws Exception {
        assertThat(call("bogus").text()).isEqualTo("unknown command 'bogus' (try 'help')");
        assertThat(call("status", "now").text()).isEqualTo("usage: status (it takes no arguments)");
        assertThat(call("conflicts", "resolve", "demo", "a.txt", "bogus").text()).startsWith("usage: conflicts");
        assertThat(call("box", "pause", "nope").text()).startsWith("no box 'nope' (boxes: demo)");
        assertThat(call("versions", "demo").text()).startsWith("usage: versions BOX PATH");
        assertThat(call("versions", "demo", "../etc/passwd").ok()).isFalse();
        assertThat(call("conflicts", "resolve", "demo", "a.txt", "keep-local").text()).contains("is not a conflict copy");
        assertThat(call("node", "add", "tcp://10.0.0.9:5671", "not-a-key").text()).contains("is not a public key");
        assertThat(call("log", "lots").ok()).isFalse();
        try (var raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            raw.write(ByteBuffer.wrap("not json\n".getBytes()));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            raw.read(answer);
            assertThat(new String(answer.array(), 0, answer.position())).contains("\"ok\":false", "one JSON object per line");
        }
        assertThat(call("status").ok()).as("still answering").isTrue();
    }

    @Test
    void nodeAddPutsTheKeyIntoTheKeystoreAndTheNodeIntoTheConfig() throws Exception {
        Path keystore = nodes.get(0).settings().keystore().value();
        String key = "Yne@$w-vo<fVvi]a<NY6T7ed:Cbmw(vbIq(qc(5M";
        Map<String, String> before = KeyFiles.readKeystore(keystore);
        Reply added = call("node", "add", "tcp://10.0.0.9:05671", key);
        assertThat(added.ok()).as(added.text()).isTrue();
        assertThat(added.text()).contains("added its key to " + keystore, "added 'node = tcp://10.0.0.9:5671' to " + config, "restart");
        assertThat(KeyFiles.readKeystore(keystore))
                .containsEntry("tcp://10.0.0.9:5671", key).containsAllEntriesOf(before);
        assertThat(config).content().containsOnlyOnce("node = tcp://10.0.0.9:5671");
        assertThat(call("node", "add", "tcp://10.0.0.9:5671", key).text()).isEqualTo("tcp://10.0.0.9:5671 is already a node with this key");
        assertThat(config).content().containsOnlyOnce("node = tcp://10.0.0.9:5671");
        assertThat(call("node", "add", "tcp://10.0.0.9:70000", key).ok()).isFalse();
        assertThat(call("node", "add", members.get(0).hostname(), key).text()).isEqualTo(members.get(0).hostname() + " is this node's own hostname, not a peer");
    }

    @Test
    void boxesAddedAndRemovedWhileRunningAreKeptInTheConfig() throws Exception {
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Files.writeString(extra.resolve("x.txt"), "x");
        Reply added = call("box", "add", "extra@" + extra);
        assertThat(added.ok()).as(added.text()).isTrue();
        assertThat(config).content().contains("box = extra@" + extra);
        await().atMost(Duration.ofSeconds(30)).until(() -> call("boxes").text().contains("extra"));
        assertThat(call("box", "add", "demo@" + Files.createDirectories(dir.resolve("elsewhere"))).text())
                .isEqualTo("box: there is a box 'demo' already, at " + members.get(0).box());
        assertThat(call("box", "add", "gone@" + dir.resolve("missing")).text()).contains("box add: box 'gone':", "missing");
        assertThat(call("box", "add", "inner@" + members.get(0).box().resolve("sub")).ok()).isFalse();
        Reply removed = call("box", "remove", "extra");
        assertThat(removed.ok()).as(removed.text()).isTrue();
        assertThat(config).content().doesNotContain("extra@");
        assertThat(call("boxes").text()).doesNotContain("extra");
        assertThat(extra.resolve("x.txt")).as("the folder stays as it is").hasContent("x");
    }

    @Test
    void aBoxAddedHereThenOnThePeerConverges() throws Exception {
        Path here = Files.createDirectories(dir.resolve("later-here"));
        Path there = Files.createDirectories(dir.resolve("later-there"));
        Files.writeString(here.resolve("pre.txt"), "made before the peer had the box");
        long delivered = nodes.get(0).machine().deliveredRuns();
        assertThat(call("box", "add", "later@" + here).ok()).isTrue();
        // The peer refuses the run: it has no box of that name yet. Adding it there asks the group for it.
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.get(0).machine().deliveredRuns() > delivered);
        Node peer = nodes.get(1);
        peer.onLoop(() -> {
            peer.sync().addBox("later", there);
            return null;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(there.resolve("pre.txt")));
        assertThat(there.resolve("pre.txt")).hasContent("made before the peer had the box");
        assertThat(call("box", "remove", "later").ok()).isTrue();
        peer.onLoop(() -> {
            peer.sync().removeBox(peer.sync().boxes().stream().filter(b -> b.name().equals("later")).findFirst().orElseThrow());
            return null;
        });
    }

    @Test
    void conflictCopiesAreListedShownAndSettled() throws Exception {
        Path box = members.get(0).box();
        Files.writeString(box.resolve("plan.txt"), "ours");
        Files.writeString(box.resolve("plan.sync-conflict-20261125-120000-abcdef0.txt"), "theirs");
        Files.writeString(box.resolve("list.sync-conflict-20261125-120000-abcdef0.md"), "other");
        Files.writeString(box.resolve("list.md"), "mine");
        await().atMost(Duration.ofSeconds(60)).until(() -> call("conflicts").text().contains("plan.sync-conflict-20261125-120000-abcdef0.txt"));
        assertThat(call("conflicts").text()).contains("(a version of plan.txt)");
        assertThat(call("conflicts", "show", "demo", "plan.sync-conflict-20261125-120000-abcdef0.txt").text())
                .contains("plan.txt: 4 B", "plan.sync-conflict-20261125-120000-abcdef0.txt: 6 B");
        Reply taken = call("conflicts", "resolve", "demo", "plan.sync-conflict-20261125-120000-abcdef0.txt", "take-remote");
        assertThat(taken.ok()).as(taken.text()).isTrue();
        assertThat(box.resolve("plan.txt")).hasContent("theirs");
        assertThat(box.resolve("plan.sync-conflict-20261125-120000-abcdef0.txt")).doesNotExist();
        Reply both = call("conflicts", "resolve", "demo", "list.sync-conflict-20261125-120000-abcdef0.md", "keep-both");
        assertThat(both.ok()).as(both.text()).isTrue();
        assertThat(box.resolve("list (conflict abcdef0).md")).hasContent("other");
        assertThat(box.resolve("list.md")).hasContent("mine");
        Path peer = members.get(1).box();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(peer.resolve("list (conflict abcdef0).md"))
                && Files.exists(peer.resolve("plan.txt")) && Files.readString(peer.resolve("plan.txt")).equals("theirs"));
    }

    @Test
    void pauseResumeRescanAndVersionsOfARealBox() throws Exception {
        assertThat(call("box", "pause", "demo").text()).contains("paused");
        assertThat(call("boxes").text()).contains("paused");
        // What a peer sends meanwhile is refused here; resuming asks the group for it.
        long delivered = nodes.get(1).machine().deliveredRuns();
        Files.writeString(members.get(1).box().resolve("while-paused.txt"), "sent while paused");
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.get(1).machine().deliveredRuns() > delivered);
        assertThat(members.get(0).box().resolve("while-paused.txt")).doesNotExist();
        assertThat(call("box", "resume", "demo").ok()).isTrue();
        assertThat(call("boxes").text()).contains("syncing");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(members.get(0).box().resolve("while-paused.txt")));
        assertThat(members.get(0).box().resolve("while-paused.txt")).hasContent("sent while paused");
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
