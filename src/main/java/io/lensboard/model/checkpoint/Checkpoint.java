package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** What a model is made of, whatever its file format: its dimensions, its tokenizer and its weights. */
public interface Checkpoint {

    ModelConfig config();

    /** Opens the tokenizer (DJL's Hugging Face tokenizers on a tokenizer.json, converted if need be). */
    LensTokenizer tokenizer();

    /** The checkpoint's weights; read only when asked, so an untrained twin never touches them. */
    Weights weights();

    /**
     * The checkpoint at {@code path}: a Hugging Face directory (config.json), a GGUF file, or a directory
     * holding a llama2.c checkpoint and its tok*.bin vocabulary.
     */
    static Checkpoint at(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".gguf")) {
            return GgufCheckpoint.open(path);
        }
        if (Files.isRegularFile(path.resolve("config.json"))) {
            return new HfCheckpoint(path);
        }
        Optional<Llama2cCheckpoint.Parts> llama2c = Llama2cCheckpoint.find(path);
        if (llama2c.isPresent()) {
            return Llama2cCheckpoint.open(llama2c.get());
        }
        throw new CheckpointException(path + ": neither a Hugging Face model directory (config.json), a .gguf file, "
                + "nor a directory with a llama2.c .bin and its tok*.bin");
    }

    /** Whether a directory holds a checkpoint the catalog should list (a .gguf file is one by its name). */
    static boolean isModelDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) || Llama2cCheckpoint.find(dir).isPresent();
    }

    /** Files in a directory, sorted; empty when it cannot be listed. */
    static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
