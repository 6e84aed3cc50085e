package io.lensboard.why;

import io.lensboard.Futures;
import io.lensboard.Threads;
import io.lensboard.analysis.AttentionPatterns;
import io.lensboard.model.checkpoint.SafetensorsWriter;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Attention patterns for the API and the page: the model is checked against the catalog first (an unknown id is a 404
 * before anything loads), then tokenizing, the size checks and the forward pass run as one task on the model's device
 * thread, under the pool's lease. Not cached: one forward pass with no unembedding costs less than a lens.
 */
@ApplicationScoped
public class AttentionService {

    @Inject
    ModelPool pool;

    /** Blocking: worker threads only. Failures are rethrown unwrapped (4xx with the message the caller shows). */
    public AttentionPatterns.Result patterns(AttentionQuery query) {
        pool.catalog().check(query.model());
        Threads.blocking("computing attention patterns");
        return Futures.join(pool.run(query.model(), query.dtype(),
                m -> AttentionPatterns.run(m, AttentionPatterns.tokenize(m, query.prompt()))));
    }

    /** The patterns as a safetensors file with one float32 tensor, {@code pattern} [L, H, T, T]. */
    public static byte[] safetensors(AttentionPatterns.Result r) {
        long t = r.tokens().size();
        return new SafetensorsWriter().add("pattern", new long[] {r.layers(), r.heads(), t, t}, AttentionPatterns.flat(r)).toBytes();
    }
}
