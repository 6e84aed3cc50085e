package io.lensboard.model.pool;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.Dtype;
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
        return load(id, path, untrainedSeed, Dtype.FLOAT32, device, progress);
    }

    /** As {@link #load(String, Path, Long, Device, LoadProgress)}, holding the weights in {@code dtype}, with no pool's budget. */
    public static LoadedModel load(String id, Path path, Long untrainedSeed, Dtype dtype, Device device, LoadProgress progress) {
        return load(id, path, untrainedSeed, dtype, device, progress, LoadMemory.of(device, Long.MAX_VALUE, 0));
    }

    /**
     * As {@link #load(String, Path, Long, Dtype, Device, LoadProgress)}, refusing (422) before allocating anything a
     * model whose weights {@code memory} cannot hold. A load that fails for any reason, running out of memory
     * included, closes what it allocated.
     */
    public static LoadedModel load(String id, Path path, Long untrainedSeed, Dtype dtype, Device device, LoadProgress progress,
                                   LoadMemory memory) {
        Checkpoint checkpoint = Checkpoint.at(path);
        ModelConfig config = checkpoint.config();
        memory.require(id, config.parameterBytes(dtype), dtype.id);
        Weights weights = weights(checkpoint, untrainedSeed, progress);
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        LensTokenizer tokenizer = null;
        try {
            tokenizer = config.takesImages() ? null : checkpoint.tokenizer();
            return new LoadedModel(id, dtype, transformer(config, weights, manager, dtype), tokenizer, manager, weights.describe());
        } catch (RuntimeException | Error e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** {@link #loadHybrid(String, Path, Long, Path, Long, Device, LoadProgress, LoadMemory)} with no pool's budget. */
    public static LoadedModel loadHybrid(String id, Path stemPath, Long stemSeed, Path stackPath, Long stackSeed,
                                         Device device, LoadProgress progress) {
        return loadHybrid(id, stemPath, stemSeed, stackPath, stackSeed, device, progress, LoadMemory.of(device, Long.MAX_VALUE, 0));
    }

    /**
     * A hybrid {@code STEM+STACK}: the ViT at {@code stemPath}'s embeddings, then the blocks of the model at
     * {@code stackPath}, both on one manager. Widths that differ, or both models together more than {@code memory}
     * holds, are a 422 (CheckpointException).
     */
    public static LoadedModel loadHybrid(String id, Path stemPath, Long stemSeed, Path stackPath, Long stackSeed,
                                         Device device, LoadProgress progress, LoadMemory memory) {
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
        memory.require(id, stemCheckpoint.config().parameterBytes(Dtype.FLOAT32) + stackCheckpoint.config().parameterBytes(Dtype.FLOAT32),
                Dtype.FLOAT32.id);
        NDManager manager = NDManager.newBaseManager(device);
        manager.setName(id);
        try {
            Weights stemWeights = weights(stemCheckpoint, stemSeed, progress);
            Weights stackWeights = weights(stackCheckpoint, stackSeed, progress);
            Vit stem = new Vit(stemCheckpoint.config(), stemWeights, manager);
            Transformer stack = transformer(stackCheckpoint.config(), stackWeights, manager, Dtype.FLOAT32);
            return new LoadedModel(id, Dtype.FLOAT32, new Hybrid(stem, stack), null, manager,
                    stemWeights.describe() + " + " + stackWeights.describe());
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    private static Weights weights(Checkpoint checkpoint, Long untrainedSeed, LoadProgress progress) {
        return LoadProgress.counting(untrainedSeed == null ? checkpoint.weights() : new RandomInitWeights(untrainedSeed),
                checkpoint.config(), progress);
    }

    private static Transformer transformer(ModelConfig config, Weights weights, NDManager manager, Dtype dtype) {
        return switch (config.architecture()) {
            case GPT2 -> new Gpt2(config, weights, manager, dtype);
            case LLAMA -> new Llama(config, weights, manager, dtype);
            case VIT -> {
                requireFloat32(dtype, "a ViT");
                yield new Vit(config, weights, manager);
            }
        };
    }

    /** ViTs and hybrids hold their weights in float32 only (their images are small; half precision was not asked for). */
    static void requireFloat32(Dtype dtype, String what) {
        if (dtype != Dtype.FLOAT32) {
            throw new CheckpointException(what + " is held in float32 only, not " + dtype + "; ask for dtype float32");
        }
    }
}
