package org.flocksy.plugins.backuptrashcan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.StoredVersion;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** Replaced and deleted files stay in {@code .flocksy/versions/} for a number of days: {@code backup = BOX:trashcan[:DAYS]}. */
public class TrashcanPlugin extends Plugin {

    /** The strategy boxes get unless their config names another; keeps 30 days by default. */
    @Extension
    public static class Trashcan implements BackupStrategy {
        static final int DEFAULT_DAYS = 30;

        @Override
        public String id() {
            return "trashcan";
        }

        @Override
        public String check(String parameter) {
            return parameter == null || parameter.matches("[1-9][0-9]{0,4}") ? null
                    : "trashcan keeps a whole number of days (1-99999), not '" + parameter + "'";
        }

        @Override
        public List<StoredVersion> expired(List<StoredVersion> versions, Instant now, String parameter) {
            Instant cutoff = now.minus(Duration.ofDays(parameter == null ? DEFAULT_DAYS : Integer.parseInt(parameter)));
            return versions.stream().filter(v -> v.archivedAt().isBefore(cutoff)).toList();
        }
    }
}
