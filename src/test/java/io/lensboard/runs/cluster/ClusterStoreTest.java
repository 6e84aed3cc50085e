package io.lensboard.runs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.RunEvent;
import io.lensboard.runs.RunRecord;
import io.lensboard.runs.RunState;
import io.lensboard.runs.RunStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The cluster's SQL on a real PostgreSQL, one rule at a time: a claim is exclusive, a warm replica is preferred for
 * the warm wait, an expired lease queues the run again with its event numbered after the stored ones, and the last
 * attempt fails the run for good.
 */
@Tag("cluster")
class ClusterStoreTest {
    private static final long LEASE = 30_000;
    private static final long WAIT = 10_000;
    private static Postgres postgres;
    private static ClusterStore cluster;
    private static RunStore runs;

    @BeforeAll
    static void start() {
        try {
            postgres = Postgres.start();
        } catch (Exception e) {
            Assumptions.assumeTrue(false, "PostgreSQL could not start, so the cluster's SQL is not tested: " + e.getMessage());
        }
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(postgres.url());
        db.setUser("lensboard");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        cluster = new ClusterStore(db);
        runs = new RunStore(db, new ObjectMapper());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static String queue(String id, String model) throws Exception {
        return queue(id, model, "{\"prompt\":\"x\"}");
    }

    private static String queue(String id, String model, String params) throws Exception {
        runs.insertAll(List.of(new RunRecord(id, "reconstruction", model, new ObjectMapper().readTree(params),
                RunState.QUEUED, null, null, Instant.now(), null, null)), new RunEvent(1, "state", "{\"state\":\"queued\"}"));
        return id;
    }

    private static Optional<String> claim(String replica, List<WarmModel> warm, long now) {
        return cluster.claim(replica, warm, now, now + LEASE, now - WAIT, now - LEASE);
    }

    @Test
    void aRunGoesToOneReplicaPreferablyOneHoldingItsModelWarmThenAfterItsLeaseToAnother() throws Exception {
        long now = System.currentTimeMillis();
        cluster.heartbeat("warm", "http://warm", List.of(f32("m1")), 1, now, now - 10 * LEASE);
        String id = queue("run1", "m1");
        assertEquals(Optional.empty(), claim("cold", List.of(), now), "a cold replica leaves it to the warm one for the wait");
        assertEquals(Optional.of(id), claim("warm", List.of(f32("m1")), now));
        assertEquals(Optional.empty(), claim("cold", List.of(), now + WAIT + 1), "claimed once: nobody else gets it");
        assertEquals(1, runs.find(id).orElseThrow().attempts());

        long later = now + LEASE + 1; // "warm" stopped renewing
        assertEquals(List.of(new ClusterStore.Expired(id, 1)), cluster.expired(later));
        RunEvent requeued = cluster.requeueExpired(id, later, "state", "{\"state\":\"queued\"}").orElseThrow();
        assertEquals(2, requeued.seq(), "numbered after the stored event");
        assertTrue(cluster.requeueExpired(id, later, "state", "{}").isEmpty(), "queued again once");
        assertEquals(Optional.of(id), claim("cold", List.of(), later), "the dead replica's warm model does not hold the run back");
        RunRecord run = runs.find(id).orElseThrow();
        assertEquals("cold", run.replica());
        assertEquals(2, run.attempts());
        assertTrue(cluster.failExpired(id, later + 2 * LEASE, "gave up"), "an expired last attempt fails");
        assertEquals(RunState.FAILED, runs.find(id).orElseThrow().state());
    }

    private static WarmModel f32(String model) {
        return new WarmModel(model, "float32");
    }

    private static WarmModel bf16(String model) {
        return new WarmModel(model, "bfloat16");
    }

    @Test
    void aModelWarmInAnotherDtypeIsNotWarmForARun() throws Exception {
        long now = System.currentTimeMillis();
        cluster.heartbeat("bf16", "http://bf16", List.of(bf16("m3"), bf16("m5")), 1, now, now - 10 * LEASE);
        cluster.heartbeat("f32", "http://f32", List.of(f32("m3")), 1, now, now - 10 * LEASE);
        String asFloat32 = queue("run3", "m3"); // no dtype in its params: float32, as RunRecord.dtype() reads it
        String asBfloat16 = queue("run4", "m3", "{\"prompt\":\"x\",\"dtype\":\"bfloat16\"}");
        assertEquals(Optional.of(asBfloat16), claim("bf16", List.of(bf16("m3")), now),
                "the bfloat16 replica passes the older float32 run by and takes the bfloat16 one");
        assertEquals(Optional.empty(), claim("cold", List.of(), now), "the float32 run waits for the replica holding m3 in float32");
        assertEquals(Optional.of(asFloat32), claim("f32", List.of(f32("m3")), now));

        String onlyBf16Warm = queue("run5", "m5", "{\"prompt\":\"x\",\"dtype\":\"float32\"}");
        assertEquals(Optional.of(onlyBf16Warm), claim("cold", List.of(), now),
                "nobody holds m5 warm in float32, so a cold replica takes it at once");
    }

    @Test
    void aRunWaitingLongerThanTheWarmWaitGoesToAnyReplica() throws Exception {
        long now = System.currentTimeMillis();
        cluster.heartbeat("holder", "http://holder", List.of(f32("m2")), 1, now, now - 10 * LEASE);
        String id = queue("run2", "m2");
        assertEquals(Optional.of(id), claim("other", List.of(), System.currentTimeMillis() + WAIT + 1));
    }
}
