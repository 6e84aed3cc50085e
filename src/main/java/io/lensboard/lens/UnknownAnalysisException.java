package io.lensboard.lens;

import io.lensboard.Problem;

/** A short link whose analysis is not stored (a mistyped link, or another lensboard's). */
public class UnknownAnalysisException extends Problem {
    public UnknownAnalysisException(String id) {
        super(404, "no stored analysis '" + id + "': open the lens from its prompt again");
    }
}
