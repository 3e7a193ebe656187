package org.flocksy.core.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flocksy.api.BoxException;
import org.flocksy.api.BoxSource;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.config.ConfigException;
import org.flocksy.core.config.Declared;

/** Turns declared boxes into directories through the box source plugins, refusing overlaps. */
public final class BoxResolver {
    private BoxResolver() {}

    /** A box resolved to its root directory. */
    public record Resolved(String name, Path root, String origin) {}

    public static List<Resolved> resolve(List<Declared<BoxSpec>> boxes, PluginCatalog catalog) throws ConfigException {
        List<Resolved> result = new ArrayList<>();
        for (Declared<BoxSpec> box : boxes) {
            BoxSource source = catalog.boxSources().stream()
                    .filter(s -> accepts(s, box.value().location()))
                    .findFirst()
                    .orElseThrow(() -> new ConfigException(box.error("no box source plugin accepts '"
                            + box.value().location() + "'")));
            Path root;
            try {
                root = source.resolve(box.value());
            } catch (BoxException e) {
                throw new ConfigException(box.error(e.getMessage()));
            } catch (RuntimeException e) {
                throw new ConfigException(box.error("box source '" + source.id() + "' failed: " + e));
            }
            for (Resolved other : result) {
                if (root.equals(other.root())) {
                    throw new ConfigException(box.error("box '" + box.value().name() + "' uses " + root
                            + ", the same path as box '" + other.name() + "' (" + other.origin() + ")"));
                }
                if (root.startsWith(other.root()) || other.root().startsWith(root)) {
                    throw new ConfigException(box.error("box '" + box.value().name() + "' at " + root
                            + " overlaps box '" + other.name() + "' at " + other.root() + " (" + other.origin() + ")"));
                }
            }
            result.add(new Resolved(box.value().name(), root, box.origin()));
        }
        return result;
    }

    /** Whether the source takes the location; a source that throws does not. */
    static boolean accepts(BoxSource source, String location) {
        try {
            return source.accepts(location);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
