package org.flocksy.plugins.exampleresolver;

import org.flocksy.api.Conflict;
import org.flocksy.api.ConflictResolver;
import org.flocksy.api.Decision;
import org.flocksy.api.FileVersion;
import org.pf4j.Extension;
import org.pf4j.Plugin;

/**
 * An example conflict resolver, the one to copy (see docs/writing-a-resolver.md): the larger version keeps
 * the name, the smaller is kept beside it. Whatever you decide must depend on the conflict alone, so that
 * every node decides the same.
 */
public class ExampleResolverPlugin extends Plugin {

    /** Selected with {@code resolver = <box>:larger-wins}. */
    @Extension
    public static class LargerWins implements ConflictResolver {
        @Override
        public String id() {
            return "larger-wins";
        }

        @Override
        public Decision resolve(Conflict conflict) {
            FileVersion first = conflict.first();
            FileVersion second = conflict.second();
            // Equal sizes: fall back to the later edit, as the default does.
            Decision.Winner larger = first.size() > second.size() ? Decision.Winner.FIRST : Decision.Winner.SECOND;
            return Decision.keepBoth(larger);
        }
    }
}
