package io.lensboard.lens;

/** A short link whose analysis is not stored (a mistyped link, or another lensboard's). */
public class UnknownAnalysisException extends RuntimeException {
    public UnknownAnalysisException(String id) {
        super("no stored analysis '" + id + "': open the lens from its prompt again");
    }
}
