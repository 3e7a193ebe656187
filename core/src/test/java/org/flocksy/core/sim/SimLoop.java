package org.flocksy.core.sim;

import org.flocksy.core.loop.Loop;

/** A node's event loop in virtual time; a crashed node's loop drops everything. */
final class SimLoop implements Loop {
    private final SimWorld world;
    private boolean alive = true;

    SimLoop(SimWorld world) {
        this.world = world;
    }

    void kill() {
        alive = false;
    }

    @Override
    public void post(Runnable task) {
        world.schedule(world.now(), guard(task));
    }

    @Override
    public void at(long atNanos, Runnable task) {
        world.schedule(atNanos, guard(task));
    }

    @Override
    public void after(long delayNanos, Runnable task) {
        world.schedule(world.now() + Math.max(0, delayNanos), guard(task));
    }

    @Override
    public void every(long periodNanos, Runnable task) {
        after(periodNanos, () -> {
            task.run();
            every(periodNanos, task);
        });
    }

    private Runnable guard(Runnable task) {
        return () -> {
            if (alive) {
                task.run();
            }
        };
    }
}
