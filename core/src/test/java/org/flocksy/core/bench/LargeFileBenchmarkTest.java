package org.flocksy.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file through the sender's and the receiver's disk path in a JVM whose heap is capped at
 * 256 MiB ({@link LargeFileRun}); the numbers go to docs/measurements.md. Run with
 * {@code scripts/bench-large-file.sh}.
 */
@Tag("benchmark")
class LargeFileBenchmarkTest {
    @Test
    void oneGibibyteWithAHeapOf256MiB(@TempDir Path dir) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LargeFileRun.class.getName(), dir.toString(), Long.toString(Long.getLong("bench.large.bytes", 1L << 30)))
                .redirectErrorStream(true).start();
        try {
            // Through this JVM's System.out, which surefire records (a child's own stdout would bypass it).
            try (var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().filter(l -> !l.contains(" INFO ")).forEach(System.out::println);
            }
            assertThat(p.waitFor(30, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as("the file arrived identical with the heap capped").isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
