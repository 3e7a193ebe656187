package org.flocksy.plugins.backupstaggered;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.StoredVersion;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * Versions thinned by age, as Syncthing's staggered versioning: within the first hour one version per
 * 30 seconds is kept, within the first day one per hour, within the first 30 days one per day, and after
 * that one per week until the maximum age: {@code backup = BOX:staggered[:MAX_DAYS]} (default 365).
 */
public class StaggeredPlugin extends Plugin {

    /** The thinning rule; versions older than the maximum age go. */
    @Extension
    public static class Staggered implements BackupStrategy {
        static final int DEFAULT_MAX_DAYS = 365;

        /** Up to this age, keep one version per this interval. */
        private record Band(Duration upTo, Duration interval) {}

        private static final List<Band> BANDS = List.of(
                new Band(Duration.ofHours(1), Duration.ofSeconds(30)),
                new Band(Duration.ofDays(1), Duration.ofHours(1)),
                new Band(Duration.ofDays(30), Duration.ofDays(1)));
        private static final Duration AFTER = Duration.ofDays(7);

        @Override
        public String id() {
            return "staggered";
        }

        @Override
        public String check(String parameter) {
            return parameter == null || parameter.matches("[1-9][0-9]{0,4}") ? null
                    : "staggered keeps versions for a whole number of days (1-99999), not '" + parameter + "'";
        }

        @Override
        public List<StoredVersion> expired(List<StoredVersion> versions, Instant now, String parameter) {
            Duration maxAge = Duration.ofDays(parameter == null ? DEFAULT_MAX_DAYS : Integer.parseInt(parameter));
            List<StoredVersion> expired = new ArrayList<>();
            StoredVersion kept = null;
            // Newest first: a version goes when the one kept just before it (newer) lies within its band's interval.
            for (StoredVersion v : versions) {
                Duration age = Duration.between(v.archivedAt(), now);
                if (age.compareTo(maxAge) > 0) {
                    expired.add(v);
                    continue;
                }
                Duration interval = BANDS.stream().filter(b -> age.compareTo(b.upTo()) <= 0).map(Band::interval).findFirst().orElse(AFTER);
                if (kept != null && Duration.between(v.archivedAt(), kept.archivedAt()).compareTo(interval) < 0) {
                    expired.add(v);
                } else {
                    kept = v;
                }
            }
            return expired;
        }
    }
}
