package org.flocksy.core.control;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.flocksy.core.fsm.RunProgress;
import org.flocksy.core.sync.ConflictCopies;

/**
 * What a running daemon answers about itself and lets a person change: the facade the shell and
 * {@code flocksy ctl} talk to through the control socket. Every answer is a record of plain values; the words
 * a person reads are the shell's. A refusal is a {@link ControlException} with one line saying why; any
 * other {@link IOException} means the daemon could not be reached or could not do it.
 */
public interface Control {
    /** What {@link #resolveConflict} can do with a conflict copy. */
    List<String> RESOLUTIONS = ConflictCopies.Resolution.typedNames();
    /** The levels {@link #log} filters by, most to least severe. */
    List<String> LOG_LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

    NodeStatus status() throws IOException;

    List<BoxStatus> boxes() throws IOException;

    /** Stops syncing a box until it is resumed: nothing is scanned, sent or applied. */
    BoxStatus pauseBox(String box) throws IOException;

    /** Syncs a paused box again; changes made meanwhile on either side are looked for. */
    BoxStatus resumeBox(String box) throws IOException;

    /** Compares the box with its index now. */
    BoxStatus rescanBox(String box) throws IOException;

    /** Starts syncing {@code NAME@PATH} and keeps it in the config file. */
    BoxAdded addBox(String spec) throws IOException;

    /** Stops syncing a box and drops its lines from the config file; its folder is left as it is. */
    BoxRemoved removeBox(String box) throws IOException;

    List<PeerInfo> nodes() throws IOException;

    /** Makes a peer a node: its key into the keystore and a node line into the config, used from the next start. */
    NodeAdded addNode(String uri, String publicKey) throws IOException;

    /** This node's public keys, to give to the other nodes. */
    List<HostKey> keys() throws IOException;

    /** The conflict copies in the boxes, and the conflicts settled without one in the last {@code days} days. */
    Conflicts conflicts(int days) throws IOException;

    /** A conflict copy beside the file it is a version of. */
    ConflictPair showConflict(String box, String copy) throws IOException;

    /** Settles a conflict copy: one of {@link #RESOLUTIONS}. */
    ConflictSettled resolveConflict(String box, String copy, String resolution) throws IOException;

    /** A file's stored versions, newest first. */
    List<VersionEntry> versions(String box, String path) throws IOException;

    /** Puts version {@code n} (as {@link #versions} numbers them) back. */
    VersionRestored restoreVersion(String box, String path, int n) throws IOException;

    List<PluginInfo> plugins() throws IOException;

    /** Enables or disables a plugin from the next start. */
    PluginChanged enablePlugin(String id, boolean enabled) throws IOException;

    TrafficReport traffic() throws IOException;

    /** The last {@code lines} log lines at {@code level} or above that came after line {@code after} (0: any). */
    List<LogLine> log(int lines, String level, long after) throws IOException;

    // ---- what the answers hold ----

    /**
     * The node, its peers and the run in progress ({@code null} when idle).
     *
     * @param rateLimit the fastest rate (file frames per second) this node takes part in runs at
     * @param rateWhy what decided it
     * @param crypto what CURVE runs on: {@code libsodium} or {@code pure Java (jnacl)}
     */
    record NodeStatus(String node, String uid, String state, int connected, int configured, long deliveredRuns, long abandonedRuns,
                      List<PeerStatus> peers, RunProgress run, int rateLimit, String rateWhy, String crypto) {}

    /** @param lastHeartbeatMsAgo {@code null} if none ever came */
    record PeerStatus(String endpoint, boolean connected, Long lastHeartbeatMsAgo, long clockOffsetMs) {}

    /** @param state {@code syncing}, {@code paused}, {@code folder gone} or {@code blocked} (its ignore file is bad) */
    record BoxStatus(String name, String path, String state, int entries, int queued, String symlinks, String resolver, String backup) {}

    /** @param configFile where the box was kept, or {@code null} when the node has no config file */
    record BoxAdded(String name, String path, String configFile) {}

    /**
     * @param configFile the config file, or {@code null} when the node has none
     * @param wasInConfig the box had lines there (else it was given with a flag)
     * @param noBoxLeft no box is declared any more: the next start needs one
     */
    record BoxRemoved(String name, String path, String configFile, boolean wasInConfig, boolean noBoxLeft) {}

    record PeerInfo(String endpoint, String uid, boolean connected, String publicKey) {}

    /**
     * @param keyChange {@code added}, {@code replaced} or {@code unchanged}
     * @param configLineAdded a node line went into {@code configFile}
     */
    record NodeAdded(String endpoint, String keystore, String keyChange, String configFile, boolean configLineAdded) {}

    record HostKey(String endpoint, String publicKey) {}

    record Conflicts(List<ConflictCopy> copies, List<SettledConflict> settled) {}

    /** A conflict copy and the file it is a version of. */
    record ConflictCopy(String box, String copy, String file) {}

    /**
     * A conflict the box's resolver settled on its own.
     *
     * @param keptAs the loser's conflict copy, {@code versions} when it went to the stored versions, empty for a deletion undone
     * @param rule what decided: the box's resolver, or the kernel's rule (edit beats deletion, directory beats file)
     */
    record SettledConflict(String box, String path, long atMs, String winner, String loser, String keptAs, String rule) {}

    record ConflictPair(String box, FileFacts file, FileFacts copy) {}

    /** @param size and {@code modifiedMs} are 0 when the file is not there */
    record FileFacts(String path, boolean exists, long size, long modifiedMs) {}

    /** @param keptAs the copy's new name for {@code keep-both}, else {@code null} */
    record ConflictSettled(String box, String copy, String resolution, String keptAs) {}

    /** @param n the number {@link #restoreVersion} takes, 1 the newest */
    record VersionEntry(int n, String archivedAt, long size, String location) {}

    record VersionRestored(String box, String path, String archivedAt, String location) {}

    /**
     * @param state as the plugin manager says, with what changes at the next start
     * @param extensions what it provides, as {@code kind id} (a resolver's id is what the config names)
     */
    record PluginInfo(String id, String version, String state, String description, List<String> extensions) {}

    record PluginChanged(String id, boolean enabled, String pluginsDir) {}

    record TrafficReport(Sent sent, double fakeSharePercent, Map<String, PeerTraffic> peers, long dropped) {}

    record Sent(Counter heartbeat, Counter data, Counter fake) {}

    record Counter(long frames, long bytes) {}

    /** @param out what was sent while the peer was connected */
    record PeerTraffic(Counter in, Counter out, long dataFrames, long fakeFrames, double fakeSharePercent) {}

    /** @param seq increases by one per line the daemon logged */
    record LogLine(long seq, String text) {}
}
