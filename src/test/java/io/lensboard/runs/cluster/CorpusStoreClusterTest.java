package io.lensboard.runs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.corpora.CorpusNameTakenException;
import io.lensboard.corpora.CorpusStore;
import io.lensboard.storage.QuotaExceededException;
import io.lensboard.storage.QuotaLock;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Issue 26 item 7 across replicas: two corpus stores, each with its own connections and its own process lock (two
 * replicas on one PostgreSQL), uploading at once never store more than the quota, and of uploads under one name
 * exactly one is stored: the quota's row lock and the primary key do it, not a lock in one JVM.
 */
@Tag("cluster")
class CorpusStoreClusterTest {
    private static Postgres postgres;
    private static DataSource db;
    private static CorpusStore a;
    private static CorpusStore b;

    @BeforeAll
    static void start() {
        try {
            postgres = Postgres.start();
        } catch (Exception e) {
            Assumptions.assumeTrue(false, "PostgreSQL could not start, so the corpus quota across replicas is not tested: " + e.getMessage());
        }
        db = dataSource();
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        a = new CorpusStore(dataSource());
        b = new CorpusStore(dataSource());
    }

    private static DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(postgres.url());
        ds.setUser("lensboard");
        return ds;
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection c = db.getConnection()) {
            c.createStatement().executeUpdate("DELETE FROM corpora");
        }
    }

    /** Runs the uploads at once, alternately on replica A and B; each answer is null (stored) or what was thrown. */
    private static List<Throwable> concurrently(List<String> names, List<byte[]> texts, int maxCount, long maxBytes) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(names.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> uploads = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                CorpusStore replica = i % 2 == 0 ? a : b;
                String name = names.get(i);
                byte[] text = texts.get(i);
                uploads.add(pool.submit(() -> {
                    go.await();
                    replica.insert(name, text, maxCount, maxBytes, true);
                    return null;
                }));
            }
            go.countDown();
            List<Throwable> answers = new ArrayList<>();
            for (Future<?> upload : uploads) {
                try {
                    upload.get(60, TimeUnit.SECONDS);
                    answers.add(null);
                } catch (ExecutionException e) {
                    answers.add(e.getCause());
                }
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twoReplicasUploadingAtOnceStoreExactlyTheCountQuota() throws Exception {
        List<String> names = new ArrayList<>();
        List<byte[]> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add("c" + i);
            texts.add(text("Text " + i + ".\n"));
        }
        List<Throwable> answers = concurrently(names, texts, 5, 1_000_000);
        assertEquals(5, answers.stream().filter(t -> t == null).count(), "stored: " + answers);
        answers.stream().filter(t -> t != null).forEach(t -> {
            assertInstanceOf(QuotaExceededException.class, t);
            assertTrue(t.getMessage().contains("5 uploaded corpora are stored, the most the quota allows (5)"), t.getMessage());
        });
        assertEquals(new CorpusStore.Stored(5, a.sizes().values().stream().mapToLong(Long::longValue).sum()), b.stored());
        assertEquals(5, a.sizes().size());
    }

    @Test
    void twoReplicasUploadingAtOnceStayWithinTheByteQuota() throws Exception {
        List<String> names = new ArrayList<>();
        List<byte[]> texts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add("b" + i);
            texts.add(text("x".repeat(299) + "\n")); // 300 bytes each: 3 fit in 1,000
        }
        List<Throwable> answers = concurrently(names, texts, 1_000, 1_000);
        assertEquals(3, answers.stream().filter(t -> t == null).count(), "stored: " + answers);
        assertEquals(new CorpusStore.Stored(3, 900), a.stored());
        answers.stream().filter(t -> t != null).forEach(t -> assertTrue(t.getMessage().contains("LENSBOARD_CORPUS_QUOTA_BYTES"), t.getMessage()));
    }

    @Test
    void ofUploadsUnderOneNameOnTwoReplicasExactlyOneIsStored() throws Exception {
        List<String> names = new ArrayList<>();
        List<byte[]> texts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            names.add("same");
            texts.add(text("y".repeat(i + 1))); // its length tells which upload was kept
        }
        List<Throwable> answers = concurrently(names, texts, 1_000, 1_000_000);
        List<Integer> stored = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i) == null) {
                stored.add(i + 1);
            } else {
                assertInstanceOf(CorpusNameTakenException.class, answers.get(i));
            }
        }
        assertEquals(1, stored.size(), "acknowledged: " + stored);
        assertEquals((long) stored.get(0), a.sizes().get("same"), "the corpus kept is the one acknowledged");
    }

    /** An upload waits while another replica's transaction holds the quota's row, and goes on when it ends. */
    @Test
    void anUploadWaitsForTheQuotaRowAnotherReplicaHolds() throws Exception {
        a.insert("first", text("a\n"), 10, 1_000, true); // makes the quota's row
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection other = db.getConnection()) {
            other.setAutoCommit(false);
            QuotaLock.take(other, "corpora");
            Future<?> upload = pool.submit(() -> {
                b.insert("second", text("b\n"), 10, 1_000, true);
                return null;
            });
            try {
                upload.get(1, TimeUnit.SECONDS);
                throw new AssertionError("the upload did not wait for the quota's row");
            } catch (TimeoutException expected) {
                assertFalse(a.sizes().containsKey("second"));
            }
            other.commit();
            upload.get(30, TimeUnit.SECONDS);
            assertTrue(a.sizes().containsKey("second"));
        } finally {
            pool.shutdownNow();
        }
    }
}
