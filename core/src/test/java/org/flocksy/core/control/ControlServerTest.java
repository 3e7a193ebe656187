package org.flocksy.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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

/**
 * The control facade of a real node over its socket (two nodes over real CURVE sockets): private, every call
 * answers with records, and bad input is refused in one line without changing anything.
 */
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
        server = ControlServer.start(socket, new NodeControl(nodes.get(0), PluginControl.NONE,
                (n, level, after) -> List.of(new Control.LogLine(1, "12:00:00.000 INFO  hello")), config));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        nodes.forEach(Node::close);
    }

    /** One call over a connection of its own, as {@code flocksy ctl} makes it. */
    private <T> T call(Call<T> call) throws Exception {
        try (ControlClient client = ControlClient.connect(socket)) {
            return call.on(client.control());
        }
    }

    private interface Call<T> {
        T on(Control control) throws Exception;
    }

    /** The one-line refusal a call gets. */
    private String refusal(Call<?> call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> call(call));
        assertThat(thrown).isInstanceOf(ControlException.class);
        assertThat(thrown.getMessage()).doesNotContain("\n");
        return thrown.getMessage();
    }

    @Test
    void onlyItsUserCanReachTheSocket() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        assertThatThrownBy(() -> ControlServer.start(socket, null)).hasMessageContaining("another flocksy is running");
    }

    @Test
    void statusBoxesNodesKeysTrafficAndLogAnswer() throws Exception {
        Control.NodeStatus status = call(Control::status);
        assertThat(status.state()).isEqualTo("READY");
        assertThat(status.connected()).isEqualTo(1);
        assertThat(status.configured()).isEqualTo(1);
        assertThat(status.peers()).singleElement().satisfies(p -> {
            assertThat(p.endpoint()).isEqualTo(members.get(1).hostname());
            assertThat(p.connected()).isTrue();
            assertThat(p.lastHeartbeatMsAgo()).isNotNull();
        });
        assertThat(call(Control::boxes)).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("demo");
            assertThat(b.path()).isEqualTo(members.get(0).box().toString());
            assertThat(b.state()).isEqualTo("syncing");
            assertThat(b.resolver()).isEqualTo("keep-both");
        });
        assertThat(call(Control::nodes)).singleElement().satisfies(p -> {
            assertThat(p.endpoint()).isEqualTo(members.get(1).hostname());
            assertThat(p.connected()).isTrue();
            assertThat(p.publicKey()).hasSize(40);
        });
        assertThat(call(Control::keys)).extracting(Control.HostKey::endpoint).containsExactly(members.get(0).hostname());
        assertThat(call(Control::traffic).sent().heartbeat().frames()).isPositive();
        String peer = members.get(1).hostname();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Control.PeerTraffic row = call(Control::traffic).peers().get(peer);
            return row != null && row.in().frames() > 0 && row.out().frames() > 0;
        });
        List<Control.LogLine> log = call(c -> c.log(5, "warn", 0));
        assertThat(log).extracting(Control.LogLine::text).containsExactly("12:00:00.000 INFO  hello");
    }

    @Test
    void badInputGetsOneLineAndChangesNothing() throws Exception {
        assertThat(refusal(c -> c.pauseBox("nope"))).isEqualTo("no box 'nope' (boxes: demo)");
        assertThat(refusal(c -> c.versions("demo", "../etc/passwd"))).contains("is not a path in box 'demo'");
        assertThat(refusal(c -> c.resolveConflict("demo", "a.txt", "bogus"))).startsWith("no resolution 'bogus'");
        assertThat(refusal(c -> c.resolveConflict("demo", "a.txt", "keep-local"))).contains("is not a conflict copy");
        assertThat(refusal(c -> c.addNode("tcp://10.0.0.9:5671", "not-a-key"))).contains("is not a public key");
        assertThat(refusal(c -> c.log(5, "lots", 0))).startsWith("no log level 'lots'");
        try (var raw = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            raw.write(java.nio.ByteBuffer.wrap("not json\n{\"call\":\"format_disk\",\"args\":[]}\n".getBytes()));
            java.nio.ByteBuffer answer = java.nio.ByteBuffer.allocate(8192);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                raw.read(answer);
                return new String(answer.array(), 0, answer.position()).lines().count() >= 2;
            });
            assertThat(new String(answer.array(), 0, answer.position()))
                    .contains("\"ok\":false", "one JSON object per line", "with a call the daemon answers");
        }
        assertThat(call(Control::status).state()).as("still answering").isNotEmpty();
    }

    @Test
    void nodeAddPutsTheKeyIntoTheKeystoreAndTheNodeIntoTheConfig() throws Exception {
        Path keystore = nodes.get(0).settings().keystore().value();
        String key = "Yne@$w-vo<fVvi]a<NY6T7ed:Cbmw(vbIq(qc(5M";
        java.util.Map<String, String> before = org.flocksy.core.config.KeyFiles.readKeystore(keystore);
        Control.NodeAdded added = call(c -> c.addNode("tcp://10.0.0.9:05671", key));
        assertThat(added).isEqualTo(new Control.NodeAdded("tcp://10.0.0.9:5671", keystore.toString(), "added", config.toString(), true));
        assertThat(org.flocksy.core.config.KeyFiles.readKeystore(keystore))
                .containsEntry("tcp://10.0.0.9:5671", key).containsAllEntriesOf(before);
        assertThat(config).content().containsOnlyOnce("node = tcp://10.0.0.9:5671");
        Control.NodeAdded again = call(c -> c.addNode("tcp://10.0.0.9:5671", key));
        assertThat(again).isEqualTo(new Control.NodeAdded("tcp://10.0.0.9:5671", keystore.toString(), "unchanged", config.toString(), false));
        assertThat(config).content().containsOnlyOnce("node = tcp://10.0.0.9:5671");
        assertThat(refusal(c -> c.addNode("tcp://10.0.0.9:70000", key))).contains("out of range");
        assertThat(refusal(c -> c.addNode(members.get(0).hostname(), key))).isEqualTo(members.get(0).hostname() + " is this node's own hostname, not a peer");
    }

    @Test
    void boxesAddedAndRemovedWhileRunningAreKeptInTheConfig() throws Exception {
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Files.writeString(extra.resolve("x.txt"), "x");
        Control.BoxAdded added = call(c -> c.addBox("extra@" + extra));
        assertThat(added).isEqualTo(new Control.BoxAdded("extra", extra.toString(), config.toString()));
        assertThat(config).content().contains("box = extra@" + extra);
        await().atMost(Duration.ofSeconds(30)).until(() -> call(Control::boxes).stream().anyMatch(b -> b.name().equals("extra")));
        assertThat(refusal(c -> c.addBox("demo@" + Files.createDirectories(dir.resolve("elsewhere")))))
                .isEqualTo("box: there is a box 'demo' already, at " + members.get(0).box());
        assertThat(refusal(c -> c.addBox("gone@" + dir.resolve("missing")))).contains("box add: box 'gone':", "missing");
        assertThat(refusal(c -> c.addBox("inner@" + members.get(0).box().resolve("sub")))).isNotEmpty();
        assertThat(refusal(c -> c.addBox("relative@some/where"))).contains("absolute path");
        Control.BoxRemoved removed = call(c -> c.removeBox("extra"));
        assertThat(removed).isEqualTo(new Control.BoxRemoved("extra", extra.toString(), config.toString(), true, false));
        assertThat(config).content().doesNotContain("extra@");
        assertThat(call(Control::boxes)).extracting(Control.BoxStatus::name).containsExactly("demo");
        assertThat(extra.resolve("x.txt")).as("the folder stays as it is").hasContent("x");
    }

    @Test
    void aBoxAddedHereThenOnThePeerConverges() throws Exception {
        Path here = Files.createDirectories(dir.resolve("later-here"));
        Path there = Files.createDirectories(dir.resolve("later-there"));
        Files.writeString(here.resolve("pre.txt"), "made before the peer had the box");
        long delivered = nodes.get(0).machine().deliveredRuns();
        call(c -> c.addBox("later@" + here));
        // The peer refuses the run: it has no box of that name yet. Adding it there asks the group for it.
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.get(0).machine().deliveredRuns() > delivered);
        Node peer = nodes.get(1);
        peer.onLoop(() -> {
            peer.sync().addBox("later", there);
            return null;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(there.resolve("pre.txt")));
        assertThat(there.resolve("pre.txt")).hasContent("made before the peer had the box");
        call(c -> c.removeBox("later"));
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
        Control.ConflictCopy plan = new Control.ConflictCopy("demo", "plan.sync-conflict-20261125-120000-abcdef0.txt", "plan.txt");
        await().atMost(Duration.ofSeconds(60)).until(() -> call(c -> c.conflicts(7)).copies().contains(plan));
        Control.ConflictPair pair = call(c -> c.showConflict("demo", plan.copy()));
        assertThat(pair.file()).extracting(Control.FileFacts::path, Control.FileFacts::exists, Control.FileFacts::size)
                .containsExactly("plan.txt", true, 4L);
        assertThat(pair.copy()).extracting(Control.FileFacts::path, Control.FileFacts::size).containsExactly(plan.copy(), 6L);
        Control.ConflictSettled taken = call(c -> c.resolveConflict("demo", plan.copy(), "take-remote"));
        assertThat(taken.resolution()).isEqualTo("take-remote");
        assertThat(box.resolve("plan.txt")).hasContent("theirs");
        assertThat(box.resolve(plan.copy())).doesNotExist();
        Control.ConflictSettled both = call(c -> c.resolveConflict("demo", "list.sync-conflict-20261125-120000-abcdef0.md", "keep-both"));
        assertThat(both.keptAs()).isEqualTo("list (conflict abcdef0).md");
        assertThat(box.resolve("list (conflict abcdef0).md")).hasContent("other");
        assertThat(box.resolve("list.md")).hasContent("mine");
        Path peer = members.get(1).box();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(peer.resolve("list (conflict abcdef0).md"))
                && Files.exists(peer.resolve("plan.txt")) && Files.readString(peer.resolve("plan.txt")).equals("theirs"));
    }

    @Test
    void pauseResumeRescanAndVersionsOfARealBox() throws Exception {
        assertThat(call(c -> c.pauseBox("demo")).state()).isEqualTo("paused");
        assertThat(call(Control::boxes)).extracting(Control.BoxStatus::state).containsExactly("paused");
        // What a peer sends meanwhile is refused here; resuming asks the group for it.
        long delivered = nodes.get(1).machine().deliveredRuns();
        Files.writeString(members.get(1).box().resolve("while-paused.txt"), "sent while paused");
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.get(1).machine().deliveredRuns() > delivered);
        assertThat(members.get(0).box().resolve("while-paused.txt")).doesNotExist();
        assertThat(call(c -> c.resumeBox("demo")).state()).isEqualTo("syncing");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(members.get(0).box().resolve("while-paused.txt")));
        assertThat(members.get(0).box().resolve("while-paused.txt")).hasContent("sent while paused");
        assertThat(call(c -> c.rescanBox("demo")).queued()).isNotNegative();

        // A peer's overwrite keeps the old content as a version; the facade lists and restores it.
        Path mine = members.get(0).box().resolve("notes.txt");
        Path theirs = members.get(1).box().resolve("notes.txt");
        Files.writeString(mine, "first");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(theirs) && Files.readString(theirs).equals("first"));
        Files.writeString(theirs, "second, from the peer");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(mine).equals("second, from the peer"));
        List<Control.VersionEntry> versions = call(c -> c.versions("demo", "notes.txt"));
        assertThat(versions).first().satisfies(v -> {
            assertThat(v.n()).isEqualTo(1);
            assertThat(v.size()).isEqualTo(5);
        });
        Control.VersionRestored restored = call(c -> c.restoreVersion("demo", "notes.txt", 1));
        assertThat(restored.location()).isEqualTo(versions.get(0).location());
        assertThat(mine).hasContent("first");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(theirs).equals("first"));
        assertThat(refusal(c -> c.restoreVersion("demo", "notes.txt", 9))).contains("no version 9");
    }
}
