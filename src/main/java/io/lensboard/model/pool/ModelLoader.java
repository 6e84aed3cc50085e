package io.lensboard.model.pool;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.lensboard.model.Dtype;
import io.lensboard.model.Gpt2;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.Llama;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Transformer;
import io.lensboard.model.Weights;
import io.lensboard.model.checkpoint.Checkpoint;
import io.lensboard.model.checkpoint.RandomInitWeights;
import java.nio.file.Path;

/** Builds a {@link LoadedModel} from a checkpoint (any format {@link Checkpoint#at} reads) and a choice of weights. */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * @param untrainedSeed null for the checkpoint's weights, else the seed of the untrained twin
     */
    public static LoadedModel load(String id, Path path, Long untrainedSeed, Device device) {
        return load(id, path, untrainedSeed, device, LoadProgress.NONE);
    }

    /** As {@link #load(String, Path, Long, Device)}, telling {@code progress} of each parameter tensor read. */
    public static LoadedModel load(String id, Path path, Long untrainedSeed, Device device, LoadProgress progress) {
        return load(id, path, untrainedSeed, Dtype.FLOAT32, device, progress);
    }

    /** As {@link #load(String, Path, Long, Device, LoadProgress)}, holding the weights in {@code dtype}. */
    public static LoadedModel load(String id, Path path, Long untrainedSeed, Dtype dtype, Device device, LoadProgress progress) {
        Checkpoint checkpoint = Checkpoint.at(path);
        ModelConfig config = checkpoint.config();
        Weights weights = LoadProgress.counting(
                untrainedSeed == null ? checkpoint.weights() : new RandomInitWeights(untrainedSeed), config, progress);
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        LensTokenizer tokenizer = null;
        try {
            tokenizer = checkpoint.tokenizer();
            Transformer transformer = switch (config.architecture()) {
                case GPT2 -> new Gpt2(config, weights, manager, dtype);
                case LLAMA -> new Llama(config, weights, manager, dtype);
            };
            return new LoadedModel(id, dtype, transformer, tokenizer, manager, weights.describe());
        } catch (RuntimeException e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }
}
