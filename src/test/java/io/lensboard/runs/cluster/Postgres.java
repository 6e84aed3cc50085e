package io.lensboard.runs.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: Debian's {@code postgresql} binaries (initdb, pg_ctl; {@code .ci/run}
 * installs them), a fresh cluster in a temporary directory on a free port, trust authentication on 127.0.0.1, no
 * fsync. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres} user.
 */
final class Postgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;

    private Postgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The JDBC URL of the server's {@code postgres} database (user lensboard, no password). */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Where initdb and pg_ctl are, if PostgreSQL is installed. */
    static Optional<Path> binaries() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("PG_BIN")).map(Path::of).ifPresent(candidates::add);
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.sorted(Comparator.reverseOrder()).map(v -> v.resolve("bin")).forEach(candidates::add);
            } catch (IOException ignored) {
                // no versions to list
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            candidates.add(Path.of(p));
        }
        return candidates.stream().filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .findFirst();
    }

    /** Starts a server, or says why it could not (the tests that need one then skip with that reason). */
    static Postgres start() throws Exception {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed (apt-get install postgresql, or set PG_BIN to the directory of initdb and pg_ctl)"));
        Path dir = Files.createTempDirectory("lensboard-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "-R", "postgres", dir.toString()));
        }
        Postgres pg = new Postgres(bin, dir, port);
        pg.as(root, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "lensboard", "-A", "trust",
                "-E", "UTF8", "--no-sync");
        pg.as(root, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        return pg;
    }

    private void as(boolean root, String... command) throws Exception {
        List<String> line = new ArrayList<>();
        if (root) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        run(line);
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            as("root".equals(System.getProperty("user.name")), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
