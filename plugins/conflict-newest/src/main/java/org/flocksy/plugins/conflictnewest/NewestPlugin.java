package org.flocksy.plugins.conflictnewest;

import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.Decision;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/** The newer mtime wins (the higher writer UID on a tie); the other version goes to the box's versions. */
public class NewestPlugin extends Plugin {

    /** Selected with {@code resolver = <box>:newest}. */
    @Extension
    public static class Newest implements ConflictResolver {
        @Override
        public String id() {
            return "newest";
        }

        @Override
        public Decision resolve(Conflict conflict) {
            return Decision.keepOnly(Decision.Winner.SECOND);
        }
    }
}
