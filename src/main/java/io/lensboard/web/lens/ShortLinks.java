package io.lensboard.web.lens;

import io.lensboard.lens.AnalysisStore;
import io.lensboard.lens.LensService;
import io.lensboard.lens.SavedAnalysis;
import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Every lens page names its stored analysis (its short link), however it was opened: validated, its model checked,
 * then stored or found. When the database cannot be used the page still works, with query-string links.
 */
@ApplicationScoped
public class ShortLinks {
    private static final Logger LOG = Logger.getLogger(ShortLinks.class);

    @Inject
    AnalysisStore store;

    @Inject
    LensService lens;

    @Inject
    ModelPool pool;

    /**
     * A checked selection whose links name its stored analysis (or carry the query, storage failing). Stored analyses
     * have no dtype (table analyses has no column for it), so a lens in a dtype other than the model's default keeps
     * query-string links.
     */
    public LensSelection lens(LensParams params) {
        LensSelection p = params.selection();
        lens.check(p.key());
        if (p.key().dtype() != null && p.key().dtype() != pool.key(p.key().model(), null).dtype()) {
            return p;
        }
        String id = save(LensParams.saved(p));
        return id == null ? p : params.selection(id);
    }

    /** The analysis's id once stored, or null when it cannot be (logged; the page keeps its query-string links). */
    public String save(SavedAnalysis a) {
        try {
            return store.save(a);
        } catch (RuntimeException e) {
            LOG.warnf("a short link could not be stored (%s); the page keeps its query-string links", e.getMessage());
            return null;
        }
    }

    public SavedAnalysis get(String id, SavedAnalysis.Kind kind) {
        return store.get(id, kind);
    }
}
