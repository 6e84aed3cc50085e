package io.lensboard.why;

import io.lensboard.Futures;
import io.lensboard.Threads;
import io.lensboard.analysis.LogitAttribution;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Direct logit attribution for the API and the page: the model is checked, then tokenizing, the forward pass through
 * {@code layer} blocks and the attribution run as one task on the model's device thread under the pool's lease. Not
 * cached: it costs one forward pass of one prompt and one [components, V] product, less than the lens it explains.
 */
@ApplicationScoped
public class AttributionService {

    @Inject
    ModelPool pool;

    /** Blocking: worker threads only. Failures are rethrown unwrapped (a 400, 404 or 422 as they come). */
    public LogitAttribution.Result get(AttributionQuery query) {
        pool.catalog().check(query.model());
        Threads.blocking("attributing a logit");
        return Futures.join(pool.run(query.model(), query.dtype(), m -> LogitAttribution.run(m, query.request())));
    }
}
