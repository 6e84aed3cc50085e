package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.ImageStem;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Weights;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face model directory: config.json, tokenizer.json, model.safetensors (single or sharded); a ViT has
 * preprocessor_config.json instead of a tokenizer.
 */
final class HfCheckpoint implements Checkpoint {
    private final Path dir;
    private final ModelConfig config;

    HfCheckpoint(Path dir) {
        this.dir = dir;
        this.config = ModelConfig.read(dir.resolve("config.json"));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public LensTokenizer tokenizer() {
        if (config.takesImages()) {
            throw ImageStem.notText();
        }
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new CheckpointException(dir + ": no tokenizer.json");
        }
        return LensTokenizer.open(tokenizerJson, config.vocabSize());
    }

    @Override
    public Weights weights() {
        return SafetensorsWeights.open(dir);
    }
}
