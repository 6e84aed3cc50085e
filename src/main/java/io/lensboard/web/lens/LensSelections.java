package io.lensboard.web.lens;

import io.lensboard.lens.LensService;
import io.lensboard.lens.SavedAnalysis;
import io.lensboard.lens.ShortLinks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The lens view a request names, resolved once: its query parsed once, checked once ({@link LensService#check}: the
 * model and tuned lens exist), and a short link read from the store once.
 */
@ApplicationScoped
public class LensSelections {

    @Inject
    ShortLinks links;

    @Inject
    LensService lens;

    /**
     * A page opened by its query (or posted): checked, its links naming its stored analysis where it can have one.
     * This stores on a GET too: a query-string page's fragments and streams are addressed by the short link.
     */
    public LensSelection opened(LensParams params) {
        LensSelection p = params.selection();
        return p.withId(links.open(p.key(), p.metric().key));
    }

    /** A fragment's query string, checked. */
    LensSelection checked(LensParams params) {
        LensSelection p = params.selection();
        lens.check(p.key());
        return p;
    }

    /** A short link's fragment: the stored model and prompt, the view its URL says. */
    LensSelection saved(SavedParams params) {
        SavedAnalysis a = links.get(params.id(), SavedAnalysis.Kind.LENS);
        return checked(params.lens(a, 0, false)).withId(a.id());
    }
}
