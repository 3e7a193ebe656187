package org.flocksy.plugins.backupsimple;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.api.StoredVersion;
import org.junit.jupiter.api.Test;

class SimpleTest {
    @Test
    void keepsTheNewestN() {
        List<StoredVersion> versions = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            versions.add(new StoredVersion("f", Instant.ofEpochSecond(1000 - i), 1, "v" + i));
        }
        SimplePlugin.Simple s = new SimplePlugin.Simple();
        assertThat(s.expired(versions, Instant.ofEpochSecond(2000), null)).isEqualTo(versions.subList(5, 7));
        assertThat(s.expired(versions, Instant.ofEpochSecond(2000), "2")).isEqualTo(versions.subList(2, 7));
        assertThat(s.check("0")).isNotNull();
    }
}
