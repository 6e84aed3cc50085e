package io.lensboard.lens;

import io.lensboard.model.pool.ModelPool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Short links: every lens page names its stored analysis (a hash of its content, so the same analysis always gets
 * the same link), however it was opened. When the database cannot be used the pages still work, with query-string
 * links; so does a lens in a dtype other than its model's default, which stored analyses cannot hold (table
 * {@code analyses} has no column for it).
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

    /** A recent lens and its short link, or null where it has none (never stored, or in a dtype a link cannot hold). */
    public record Recent(LensQuery query, String id) {}

    /**
     * Checks the query ({@link LensService#check}) and stores it as seen with {@code metric}: its short link's id,
     * or null where it has none (a dtype other than the default, or the database failing, which is logged).
     */
    public String open(LensQuery query, String metric) {
        lens.check(query);
        return storable(query) ? save(analysis(query, metric)) : null;
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

    /** A stored analysis of that kind; {@link UnknownAnalysisException} when there is none. */
    public SavedAnalysis get(String id, SavedAnalysis.Kind kind) {
        return store.get(id, kind);
    }

    /**
     * The lenses computed lately, newest first, once per model, dtype, decoder and prompt (other views of one lens are
     * one entry), each with its short link where that is stored already. It only reads, so the home page's GET writes
     * nothing; a lens computed through the API alone keeps its query-string link.
     */
    public List<Recent> recent(String metric) {
        Set<String> seen = new HashSet<>();
        return lens.recent().stream()
                .filter(q -> seen.add(q.model() + "\n" + q.dtype() + "\n" + q.decoder() + "\n" + q.ablation() + "\n" + q.prompt()))
                .map(q -> new Recent(q, storable(q) ? stored(analysis(q, metric)) : null))
                .toList();
    }

    private String stored(SavedAnalysis a) {
        try {
            return store.find(a.id()).isPresent() ? a.id() : null;
        } catch (RuntimeException e) {
            return null; // the database cannot be read just now: the query-string link still works
        }
    }

    private boolean storable(LensQuery query) {
        return query.dtype() == null || query.dtype() == pool.key(query.model(), null).dtype();
    }

    private static SavedAnalysis analysis(LensQuery q, String metric) {
        return SavedAnalysis.of(SavedAnalysis.Kind.LENS, List.of(q.model()), List.of(q.decoder()), List.of(q.ablation()), q.prompt(),
                metric, q.topk(), q.sub());
    }
}
