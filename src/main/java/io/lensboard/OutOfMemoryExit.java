package io.lensboard;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;
import org.jboss.logging.Logger;

/**
 * After an {@link OutOfMemoryError} the process is not to be trusted: threads the error killed (once, the HTTP
 * acceptor) are gone for good and the server answered nothing until killed. So it exits, to be restarted (a run it
 * held is marked interrupted at the next start). The JVM does that itself with {@code -XX:+ExitOnOutOfMemoryError}
 * (the Dockerfile and the README's run commands set it, through {@code JDK_JAVA_OPTIONS}); without the flag this
 * warns, and halts the process when an OutOfMemoryError reaches the top of any thread.
 */
@ApplicationScoped
public class OutOfMemoryExit {
    private static final Logger LOG = Logger.getLogger(OutOfMemoryExit.class);
    /** The exit status, as the JVM's own flag gives (3). */
    static final int STATUS = 3;

    void start(@Observes StartupEvent startup) {
        if (flagSet()) {
            return;
        }
        LOG.warn("the JVM runs without -XX:+ExitOnOutOfMemoryError: an OutOfMemoryError caught by a library leaves the"
                + " server without the threads it killed; set JDK_JAVA_OPTIONS=-XX:+ExitOnOutOfMemoryError");
        // halt: shutdown hooks would need the memory there is not
        Thread.setDefaultUncaughtExceptionHandler(handler(Thread.getDefaultUncaughtExceptionHandler(), Runtime.getRuntime()::halt));
    }

    /**
     * The handler that ends the process with {@link #STATUS} through {@code halt} on an OutOfMemoryError and hands
     * every failure on to {@code previous} (or prints it); {@code halt} is a parameter so a test can watch it.
     */
    static Thread.UncaughtExceptionHandler handler(Thread.UncaughtExceptionHandler previous, IntConsumer halt) {
        return (thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.err.println("lensboard: OutOfMemoryError in thread " + thread.getName() + "; exiting");
                halt.accept(STATUS);
            }
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                e.printStackTrace();
            }
        };
    }

    static boolean flagSet() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try {
            return vm != null && Boolean.parseBoolean(vm.getVMOption("ExitOnOutOfMemoryError").getValue());
        } catch (IllegalArgumentException notHotSpot) {
            return false;
        }
    }
}
