package org.flocksy.app.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code bin/flocksy} as a child process with its own HOME, as a user would. */
final class Flocksy {
    /** Set by the build to distribution/target/flocksy. */
    static final Path INSTALLATION = Path.of(System.getProperty("flocksy.dir", "target/flocksy")).toAbsolutePath();
    static final Path LAUNCHER = INSTALLATION.resolve("bin/flocksy");

    /** The outcome of a command that ran to its end. */
    record Result(int exit, String out, String err) {}

    private Flocksy() {}

    static ProcessBuilder builder(Path home, String... args) {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        pb.environment().put("HOME", home.toString());
        // Lazysodium may unpack its native library here; keep that out of the shared /tmp.
        pb.environment().put("JAVA_OPTS", "-Djava.io.tmpdir=" + home);
        return pb;
    }

    /** Runs a command that is expected to end by itself, within {@code seconds}. */
    static Result run(Path home, long seconds, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(home.getParent(), "out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "err", ".txt");
        Process p = builder(home, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("flocksy " + String.join(" ", args) + " did not end within " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
