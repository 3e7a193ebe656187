package org.flocksy.plugins.backupstaggered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.api.StoredVersion;
import org.junit.jupiter.api.Test;

class StaggeredTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private static StoredVersion at(Duration ago) {
        return new StoredVersion("f", NOW.minus(ago), 1, "v");
    }

    @Test
    void thinsByAgeAndDropsWhatIsTooOld() {
        StaggeredPlugin.Staggered s = new StaggeredPlugin.Staggered();
        List<StoredVersion> versions = new ArrayList<>();
        for (int sec = 0; sec < 120; sec += 10) {
            versions.add(at(Duration.ofSeconds(sec)));          // 12 in the first two minutes
        }
        versions.add(at(Duration.ofHours(3)));
        versions.add(at(Duration.ofHours(3).plusMinutes(10)));  // same hour band: thinned
        versions.add(at(Duration.ofDays(400)));                 // past the maximum age
        List<StoredVersion> expired = s.expired(versions, NOW, null);
        assertThat(expired).contains(at(Duration.ofDays(400)), at(Duration.ofHours(3).plusMinutes(10)));
        assertThat(expired).doesNotContain(at(Duration.ofSeconds(0)), at(Duration.ofSeconds(30)), at(Duration.ofHours(3)));
        assertThat(versions.size() - expired.size()).isEqualTo(5);
        assertThat(s.check("x")).isNotNull();
        assertThat(s.check("90")).isNull();
    }
}
