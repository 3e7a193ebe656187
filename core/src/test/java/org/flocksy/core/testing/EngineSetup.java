package org.flocksy.core.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flocksy.api.BoxSpec;
import org.flocksy.core.config.Declared;
import org.flocksy.core.config.Settings;
import org.flocksy.core.loop.Loop;

/** What tests of one box's sync engine share: the settings of a node with that one box, and calls onto its loop. */
public final class EngineSetup {
    private EngineSetup() {}

    /** A node listening nowhere in particular with one box {@code name} at {@code root}; key files under {@code scratch}. */
    public static Settings oneBox(String name, Path root, Path scratch) {
        return new Settings(List.of(new Declared<>("tcp://127.0.0.1:1", "test")), List.of(),
                List.of(new Declared<>(new BoxSpec(name, root.toString()), "test")),
                new Declared<>(scratch.resolve("ks"), "test"), new Declared<>(scratch.resolve("pk"), "test"));
    }

    /** Runs {@code task} on {@code loop} (the engine is confined to it) and waits for its answer. */
    public static <T> T call(Loop loop, Duration timeout, Callable<T> task) throws Exception {
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.post(() -> {
            try {
                answer.complete(task.call());
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
