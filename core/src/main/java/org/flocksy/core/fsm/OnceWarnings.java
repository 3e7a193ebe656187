package org.flocksy.core.fsm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Warnings an operator needs once, not once per frame: a peer that keeps sending what this node drops is
 * named the first time, and counted after. Safe from the receive thread and the event loop.
 */
final class OnceWarnings {
    private final Logger log;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    OnceWarnings(Logger log) {
        this.log = log;
    }

    /** Logs the warning the first time {@code key} is seen. */
    void warn(String key, String format, Object... args) {
        if (warned.add(key)) {
            log.warn(format, args);
        }
    }
}
