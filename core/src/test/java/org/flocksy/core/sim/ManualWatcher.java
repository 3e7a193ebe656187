package org.flocksy.core.sim;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.flocksy.api.ChangeEvent;
import org.flocksy.api.ChangeListener;
import org.flocksy.api.FileWatcher;
import org.flocksy.api.WatchHandle;

/** A watcher the simulation drives: it reports exactly the changes the scenario says it made. */
final class ManualWatcher implements FileWatcher {
    private final Map<Path, ChangeListener> listeners = new HashMap<>();

    @Override
    public String id() {
        return "manual";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isSupported() {
        return true;
    }

    @Override
    public WatchHandle watch(Path root, ChangeListener listener) {
        listeners.put(root, listener);
        return () -> listeners.remove(root);
    }

    void changed(Path root, Path file) {
        ChangeListener listener = listeners.get(root);
        if (listener != null) {
            listener.onChange(new ChangeEvent(file));
        }
    }
}
