package io.lensboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26 item 1: the process exits on an OutOfMemoryError instead of running on without the threads it killed. The
 * deployment sets the JVM's flag, the flag does exit (in a child JVM), and without it {@link OutOfMemoryExit}'s handler
 * halts with the same status; none of it ends this JVM.
 */
class OutOfMemoryExitTest {

    @Test
    void theImageAndTheReadmesRunCommandsSetTheJvmFlag() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertTrue(dockerfile.matches("(?s).*\\nENV JDK_JAVA_OPTIONS=[^\\n]*-XX:\\+ExitOnOutOfMemoryError.*"),
                "the runtime image's JDK_JAVA_OPTIONS sets the flag");
        List<String> javaCommands = Files.readAllLines(Path.of("README.md")).stream()
                .filter(l -> l.matches(".*\\bjava\\b.*-jar .*quarkus-run\\.jar.*")).toList();
        assertTrue(!javaCommands.isEmpty(), "the README starts the jar somewhere");
        for (String line : javaCommands) {
            assertTrue(line.contains("-XX:+ExitOnOutOfMemoryError"), "README: " + line);
        }
    }

    /** A child JVM with the flag and a 16 MB heap that allocates until it runs out: it exits with status 3. */
    @Test
    @Timeout(60)
    void theFlagEndsAJvmThatRunsOutOfMemoryWithStatus3(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("Fill.java");
        Files.writeString(source, """
                public class Fill {
                    public static void main(String[] args) {
                        java.util.List<long[]> held = new java.util.ArrayList<>();
                        while (true) {
                            held.add(new long[1 << 16]);
                        }
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:+ExitOnOutOfMemoryError", "-Xmx16m", source.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(child.waitFor(50, TimeUnit.SECONDS), "the child exited");
        assertEquals(OutOfMemoryExit.STATUS, child.exitValue(), Files.readString(dir.resolve("out.txt")));
    }

    @Test
    void withoutTheFlagTheHandlerHaltsWithTheSameStatusOnAnOutOfMemoryErrorOnly() throws Exception {
        List<Integer> halts = new ArrayList<>();
        List<Throwable> handedOn = new ArrayList<>();
        Thread.UncaughtExceptionHandler handler = OutOfMemoryExit.handler((t, e) -> handedOn.add(e), halts::add);

        Thread thread = new Thread(() -> {
            throw new IllegalStateException("an ordinary failure");
        });
        thread.setUncaughtExceptionHandler(handler);
        thread.start();
        thread.join();
        assertEquals(List.of(), halts, "an ordinary failure does not end the process");
        assertEquals(1, handedOn.size());

        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        thread = new Thread(() -> {
            throw oom;
        });
        thread.setUncaughtExceptionHandler(handler);
        thread.start();
        thread.join();
        assertEquals(List.of(OutOfMemoryExit.STATUS), halts, "an OutOfMemoryError halts with status 3");
        assertSame(oom, handedOn.get(1));
    }
}
