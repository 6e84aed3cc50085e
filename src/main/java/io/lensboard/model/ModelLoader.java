package io.lensboard.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a {@link LoadedModel} from a Hugging Face model directory and a choice of weights. */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * @param untrainedSeed null for the checkpoint's weights, else the seed of the untrained twin
     */
    public static LoadedModel load(String id, Path dir, Long untrainedSeed, Device device) {
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new CheckpointException(dir + ": no tokenizer.json");
        }
        Weights weights = untrainedSeed == null ? SafetensorsWeights.open(dir) : new RandomInitWeights(untrainedSeed);
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        LensTokenizer tokenizer = null;
        try {
            tokenizer = LensTokenizer.open(tokenizerJson, config.vocabSize());
            Transformer transformer = switch (config.architecture()) {
                case GPT2 -> new Gpt2(config, weights, manager);
                case LLAMA -> new Llama(config, weights, manager);
            };
            return new LoadedModel(id, transformer, tokenizer, manager, weights.describe());
        } catch (RuntimeException e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }
}
