package org.flocksy.plugins.exampleresolver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.flocksy.api.Conflict;
import org.flocksy.api.Decision;
import org.flocksy.api.FileVersion;
import org.junit.jupiter.api.Test;

class LargerWinsTest {
    private static FileVersion version(long size, long mtime) {
        return new FileVersion(size, mtime, "00".repeat(16), "11".repeat(32), Path.of("unused"));
    }

    @Test
    void theLargerVersionKeepsTheNameAndTheOtherStaysBeside() {
        ExampleResolverPlugin.LargerWins resolver = new ExampleResolverPlugin.LargerWins();
        assertThat(resolver.id()).isEqualTo("larger-wins");
        assertThat(resolver.resolve(new Conflict("docs", "a.txt", version(900, 1), version(100, 2))))
                .isEqualTo(Decision.keepBoth(Decision.Winner.FIRST));
        assertThat(resolver.resolve(new Conflict("docs", "a.txt", version(100, 1), version(100, 2))))
                .isEqualTo(Decision.keepBoth(Decision.Winner.SECOND));
    }
}
