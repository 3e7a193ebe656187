package org.flocksy.plugins.backupsimple;

import java.time.Instant;
import java.util.List;
import org.flocksy.api.BackupStrategy;
import org.flocksy.api.StoredVersion;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** The newest N versions of each file are kept: {@code backup = BOX:simple[:N]}. */
public class SimplePlugin extends Plugin {

    /** Keeps 5 versions per file by default. */
    @Extension
    public static class Simple implements BackupStrategy {
        static final int DEFAULT_VERSIONS = 5;

        @Override
        public String id() {
            return "simple";
        }

        @Override
        public String check(String parameter) {
            return parameter == null || parameter.matches("[1-9][0-9]{0,5}") ? null
                    : "simple keeps a whole number of versions (1-999999), not '" + parameter + "'";
        }

        @Override
        public List<StoredVersion> expired(List<StoredVersion> versions, Instant now, String parameter) {
            int keep = parameter == null ? DEFAULT_VERSIONS : Integer.parseInt(parameter);
            return versions.size() <= keep ? List.of() : versions.subList(keep, versions.size());
        }
    }
}
