package io.lensboard.model.pool;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.Gpt2;
import io.lensboard.model.Hybrid;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.Llama;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Transformer;
import io.lensboard.model.Vit;
import io.lensboard.model.Weights;
import io.lensboard.model.checkpoint.Checkpoint;
import io.lensboard.model.checkpoint.RandomInitWeights;
import java.nio.file.Path;

/**
 * Builds a {@link LoadedModel} from a checkpoint (any format {@link Checkpoint#at} reads) and a choice of weights, or a
 * hybrid from two.
 */
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
        Checkpoint checkpoint = Checkpoint.at(path);
        ModelConfig config = checkpoint.config();
        Weights weights = weights(checkpoint, untrainedSeed, progress);
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        LensTokenizer tokenizer = null;
        try {
            tokenizer = config.takesImages() ? null : checkpoint.tokenizer();
            return new LoadedModel(id, transformer(config, weights, manager), tokenizer, manager, weights.describe());
        } catch (RuntimeException e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /**
     * A hybrid {@code STEM+STACK}: the ViT at {@code stemPath}'s embeddings, then the blocks of the model at
     * {@code stackPath}, both on one manager. Widths that differ are a 422 (CheckpointException).
     */
    public static LoadedModel loadHybrid(String id, Path stemPath, Long stemSeed, Path stackPath, Long stackSeed,
                                         Device device, LoadProgress progress) {
        Checkpoint stemCheckpoint = Checkpoint.at(stemPath);
        Checkpoint stackCheckpoint = Checkpoint.at(stackPath);
        if (stemCheckpoint.config().architecture() != ModelConfig.Architecture.VIT) {
            throw new CheckpointException(stemPath.getFileName() + ": the stem of a hybrid STEM+STACK must be a ViT, not "
                    + stemCheckpoint.config().architecture().modelType);
        }
        int stemWidth = stemCheckpoint.config().dModel();
        int stackWidth = stackCheckpoint.config().dModel();
        if (stemWidth != stackWidth) {
            throw new CheckpointException("the stem " + stemPath.getFileName() + " is " + stemWidth + " wide but the stack "
                    + stackPath.getFileName() + " is " + stackWidth + " wide; a hybrid needs the same d_model");
        }
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        try {
            Weights stemWeights = weights(stemCheckpoint, stemSeed, progress);
            Weights stackWeights = weights(stackCheckpoint, stackSeed, progress);
            Vit stem = new Vit(stemCheckpoint.config(), stemWeights, manager);
            Transformer stack = transformer(stackCheckpoint.config(), stackWeights, manager);
            return new LoadedModel(id, new Hybrid(stem, stack), null, manager,
                    stemWeights.describe() + " + " + stackWeights.describe());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Weights weights(Checkpoint checkpoint, Long untrainedSeed, LoadProgress progress) {
        return LoadProgress.counting(untrainedSeed == null ? checkpoint.weights() : new RandomInitWeights(untrainedSeed),
                checkpoint.config(), progress);
    }

    private static Transformer transformer(ModelConfig config, Weights weights, NDManager manager) {
        return switch (config.architecture()) {
            case GPT2 -> new Gpt2(config, weights, manager);
            case LLAMA -> new Llama(config, weights, manager);
            case VIT -> new Vit(config, weights, manager);
        };
    }
}
