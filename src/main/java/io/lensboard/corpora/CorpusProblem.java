package io.lensboard.corpora;

import io.lensboard.Problem;
import java.util.Collection;

/** A corpus that cannot be deleted, with the HTTP status that says why (the message says what to do instead). */
public class CorpusProblem extends Problem {
    private CorpusProblem(int status, String message) {
        super(status, message);
    }

    static CorpusProblem unknown(String name, Collection<String> known) {
        return new CorpusProblem(404, "no corpus '" + name + "'; there are: " + String.join(", ", known));
    }

    static CorpusProblem notUploaded(String name, String source) {
        return new CorpusProblem(409, "corpus '" + name + "' is " + ("built-in".equals(source) ? "built in"
                : "a file in a directory of LENSBOARD_CORPORA_DIRS (remove it there)") + "; only uploaded corpora can be deleted here");
    }
}
