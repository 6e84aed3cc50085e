package io.lensboard.web.corpora;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.corpora.Corpora;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** A corpus upload as the API and the corpora page both take it. */
final class CorpusUploads {
    private CorpusUploads() {}

    /** A multipart upload stored under its name, or its file's name when none is given. */
    static Corpora.Corpus save(Corpora corpora, String name, FileUpload file) {
        if (file == null) {
            throw new InvalidInputException("send the corpus as the form field 'file'");
        }
        try {
            String n = name == null || name.isBlank() ? file.fileName() : name;
            return corpora.save(n, Files.readAllBytes(file.uploadedFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload: " + e.getMessage(), e);
        }
    }
}
