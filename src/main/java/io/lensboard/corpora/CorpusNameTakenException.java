package io.lensboard.corpora;

import io.lensboard.Problem;

/** An upload under a corpus name that is taken (409): uploads never replace a corpus. */
public class CorpusNameTakenException extends Problem {
    public CorpusNameTakenException(String name) {
        super(409, "a corpus named '" + name + "' exists: choose another name");
    }
}
