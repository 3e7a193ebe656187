package org.flocksy.core.kernel;

import com.google.inject.Inject;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.flocksy.core.config.Settings;
import org.flocksy.core.fsm.FlockMachine;
import org.flocksy.core.timing.RateLimit;
import org.flocksy.core.timing.RateSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures this machine again a while after start and then now and then, for {@code rate = auto}: the first
 * measurement is taken while the process (and on a test machine, its neighbours) is still starting, and can
 * say a tenth of what the machine carries. The state machine keeps the best of the measurements. Its own
 * thread, at random moments (after start three, a few seconds apart), so that nodes started together do not all
 * measure together.
 */
final class RateProbe implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RateProbe.class);
    static final long FIRST_MIN_SECONDS = 20;
    static final long FIRST_MAX_SECONDS = 45;
    static final long PERIOD_SECONDS = 3_600;
    static final int MEASUREMENTS = 3;
    static final long GAP_MIN_SECONDS = 2;
    static final long GAP_MAX_SECONDS = 8;

    private final RateSource source;
    private final RateLimit first;
    private final FlockMachine machine;
    private final String nodeName;
    private final SplittableRandom random;
    private ScheduledExecutorService thread;

    @Inject
    RateProbe(RateSource source, RateLimit first, FlockMachine machine, Settings settings, SplittableRandom random) {
        this.source = source;
        this.first = first;
        this.machine = machine;
        this.nodeName = settings.nodeName();
        this.random = random;
    }

    synchronized void start() {
        if (!first.adapts() || thread != null) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flocksy-measure-" + nodeName);
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        long delay = FIRST_MIN_SECONDS + random.nextLong(FIRST_MAX_SECONDS - FIRST_MIN_SECONDS + 1);
        thread.schedule(() -> measure(1), delay, TimeUnit.SECONDS);
        // Hourly one measurement is enough: by then the nodes of a flock started together measure at their own moments.
        thread.scheduleWithFixedDelay(() -> measure(MEASUREMENTS), delay + PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Measurement {@code n} of {@link #MEASUREMENTS} after start, the next a few random seconds later: a
     * half-second measurement on a shared machine says anything from half to all of what it carries (another
     * node of a test flock measuring at the same moment, other tenants), and the machine keeps the best.
     */
    private void measure(int n) {
        try {
            machine.remeasured(source.limit());
        } catch (RuntimeException e) {
            log.debug("measuring this machine's CURVE speed again failed: {}", e.toString());
        }
        if (n < MEASUREMENTS) {
            long gap = GAP_MIN_SECONDS + random.nextLong(GAP_MAX_SECONDS - GAP_MIN_SECONDS + 1);
            synchronized (this) {
                if (thread != null) {
                    thread.schedule(() -> measure(n + 1), gap, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
    }
}
