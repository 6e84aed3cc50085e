package io.lensboard.model;

import ai.djl.ndarray.NDManager;

/**
 * A model resident on its device: weights, tokenizer and the manager that owns the weights.
 * Callers do their tensor work in a {@link #newScope()} and close it, so the weights' manager only
 * ever holds weights.
 */
public final class LoadedModel implements AutoCloseable {
    private final String id;
    private final Transformer transformer;
    private final LensTokenizer tokenizer;
    private final NDManager manager;
    private final String source;
    private final Dtype dtype;

    public LoadedModel(String id, Dtype dtype, Transformer transformer, LensTokenizer tokenizer, NDManager manager, String source) {
        this.id = id;
        this.dtype = dtype;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.source = source;
    }

    public String id() {
        return id;
    }

    /** The precision its weights are held in. */
    public Dtype dtype() {
        return dtype;
    }

    public ModelConfig config() {
        return transformer.config();
    }

    public Transformer transformer() {
        return transformer;
    }

    public LensTokenizer tokenizer() {
        return tokenizer;
    }

    /** Where the weights came from: a file, or "untrained, seed N". */
    public String source() {
        return source;
    }

    /** The bytes its parameters take on the device, as held. */
    public long bytes() {
        return transformer.parameterBytes();
    }

    /** A manager on the model's device for one request's or one step's arrays; close it when done. */
    public NDManager newScope() {
        return manager.newSubManager();
    }

    @Override
    public void close() {
        manager.close();
        tokenizer.close();
    }
}
