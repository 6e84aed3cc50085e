package io.lensboard.runs.cluster;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.PrintWriter;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * One lensboard replica in a child JVM, for {@link ClusterTest}: {@link #main} runs this class through the JUnit
 * launcher (by name: Quarkus must load the class in its own class loader), so Quarkus's test support builds and
 * starts the application from the test class path (no packaged jar is needed). It prints its URL and serves until
 * its standard input closes or it is killed. The name does not end in "Test": the build never runs it by itself.
 */
@QuarkusTest
public class ReplicaProcess {
    static final String READY = "replica listening at ";

    @TestHTTPResource("/")
    URL url;

    @Test
    void serve() throws Exception {
        System.out.println(READY + url);
        System.out.flush();
        while (System.in.read() != -1) {
            // serving until the parent closes the pipe
        }
    }

    public static void main(String[] args) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass("io.lensboard.runs.cluster.ReplicaProcess")).build(), summary);
        summary.getSummary().printFailuresTo(new PrintWriter(System.out, true));
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
