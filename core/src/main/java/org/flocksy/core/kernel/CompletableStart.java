package org.flocksy.core.kernel;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.flocksy.core.loop.EventLoop;

/** Runs a start step on the event loop (the state it touches is confined there) and waits for it. */
final class CompletableStart {
    /** A start step that may fail with an I/O error. */
    interface Step {
        void run() throws IOException;
    }

    private CompletableStart() {}

    static void run(EventLoop loop, Step step) throws IOException, InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.post(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (IOException | RuntimeException | Error e) {
                // An Error too, or the start would wait for good (out of memory scanning a large box).
                done.completeExceptionally(e);
            }
        });
        try {
            done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
