package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.TensorOwnership;
import io.lensboard.model.checkpoint.HubClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The debug mode of tensor ownership (on in tests): an evicted model used again fails loudly, a leased one stays. */
class TensorOwnershipTest {

    private static ModelPool pool(DeviceThread device) {
        return new ModelPool(new ModelCatalog(List.of(Fixtures.root()),
                new HubClient(java.net.URI.create("http://127.0.0.1:9"), Fixtures.root(), Optional.empty())), device, 1);
    }

    @Test
    void anEvictedModelUsedAgainFailsNamingIt() throws Exception {
        assertTrue(TensorOwnership.CHECKED, "surefire turns the check on");
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device)) {
            LoadedModel first = pool.load("gpt2-tiny:untrained:1").get(60, TimeUnit.SECONDS);
            pool.load("vit-tiny").get(60, TimeUnit.SECONDS); // over the 1-byte budget: the idle first one goes
            for (int i = 0; i < 200 && first.isOpen(); i++) {
                Thread.sleep(50); // the loader evicts just after it completes the load
            }
            assertFalse(first.isOpen(), "evicted");
            IllegalStateException e = assertThrows(IllegalStateException.class, first::newScope);
            assertTrue(e.getMessage().contains("gpt2-tiny:untrained:1"), e.getMessage());
            assertThrows(IllegalStateException.class, first::transformer);
            // through the pool the id loads again, and the work sees an open model
            assertEquals(Boolean.TRUE, pool.run("gpt2-tiny:untrained:1", m -> m.isOpen() && m != first).get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aLeasedModelIsNotEvictedAndItsLeaseEndsItsUse() throws Exception {
        try (DeviceThread device = new DeviceThread(Device.cpu()); ModelPool pool = pool(device)) {
            ModelPool.Lease lease = pool.lease("gpt2-tiny:untrained:2");
            LoadedModel held = lease.model();
            pool.run("vit-tiny", m -> null).get(60, TimeUnit.SECONDS); // loads, releases, evicts what it may
            assertTrue(held.isOpen(), "a leased model is never closed");
            lease.close();
            assertThrows(IllegalStateException.class, lease::model, "a closed lease hands out nothing");
        }
    }
}
