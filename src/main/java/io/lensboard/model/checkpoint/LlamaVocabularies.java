package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a converted SentencePiece vocabulary with DJL's Hugging Face tokenizers, through a temporary tokenizer.json. */
final class LlamaVocabularies {
    private LlamaVocabularies() {}

    static LensTokenizer open(SentencePieceBpe vocab, Path source, int vocabSize) {
        Path json = vocab.writeTemp();
        try {
            return LensTokenizer.open(json, vocabSize);
        } catch (CheckpointException e) {
            throw new CheckpointException(source + ": cannot build a tokenizer from its vocabulary: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(json);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }
}
