package io.lensboard.model;

import ai.djl.ndarray.NDManager;

/**
 * A model resident on its device: weights, tokenizer (none for an image model) and the manager that owns the weights.
 * Callers do their tensor work in a {@link #newScope()} and close it, so the weights' manager only
 * ever holds weights.
 */
public final class LoadedModel implements AutoCloseable {
    private final String id;
    private final Transformer transformer;
    private final LensTokenizer tokenizer;
    private final NDManager manager;
    private final String source;

    public LoadedModel(String id, Transformer transformer, LensTokenizer tokenizer, NDManager manager, String source) {
        this.id = id;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.source = source;
    }

    public String id() {
        return id;
    }

    public ModelConfig config() {
        return transformer.config();
    }

    public Transformer transformer() {
        return transformer;
    }

    /** The tokenizer; an image model has none, and asking for it is the 422 that text analyses give such a model. */
    public LensTokenizer tokenizer() {
        if (tokenizer == null) {
            throw ImageStem.notText();
        }
        return tokenizer;
    }

    /** Whether the model reads pixel_values (a ViT or a hybrid) rather than token ids. */
    public boolean takesImages() {
        return transformer instanceof ImageStem;
    }

    /** The image side of an image model; a text model answers 422. */
    public ImageStem images() {
        if (transformer instanceof ImageStem stem) {
            return stem;
        }
        throw new CheckpointException("model '" + id + "' reads text, not images: choose a ViT or a hybrid STEM+STACK "
                + "such as vit-tiny+gpt2-tiny");
    }

    /** Where the weights came from: a file, or "untrained, seed N". */
    public String source() {
        return source;
    }

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
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
