package org.flocksy.plugins.conflictkeepboth;

import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.Decision;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** Keeps both versions of a conflict: the later edit keeps the name, the earlier becomes a sync-conflict copy. */
public class KeepBothPlugin extends Plugin {

    /** The resolver boxes use unless their config names another. */
    @Extension
    public static class KeepBoth implements ConflictResolver {
        @Override
        public String id() {
            return "keep-both";
        }

        @Override
        public Decision resolve(Conflict conflict) {
            // The versions come ordered by mtime (writer on a tie), the same on every node.
            return Decision.keepBothLaterWins();
        }
    }
}
