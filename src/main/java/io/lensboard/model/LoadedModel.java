package io.lensboard.model;

import ai.djl.ndarray.NDManager;

/**
 * A model resident on its device: weights, tokenizer (none for an image model) and the manager that owns the weights.
 * Callers do their tensor work in a {@link #newScope()} and close it, so the weights' manager only
 * ever holds weights.
 *
 * <p>Ownership of the tensors that outlive one step: the weights (every {@link Param}, its transposed view, a
 * hybrid's stem and stack, which share this one manager) belong to this model's manager and die only in
 * {@link #close}, which the {@code ModelPool} calls when it evicts an unleased model; nobody else closes, attaches
 * or writes into them. A job's run-long arrays (its optimised input, Adam's moments, a decoder, a cast float64
 * copy of the weights) belong to the job's own {@link #newScope()}, closed by the job's {@code close}; a step's
 * arrays to a sub-scope of it, closed after the step. An array that must outlive its scope is copied
 * ({@code duplicate}) into the longer-lived scope, never moved out of a model's manager.
 *
 * <p>With {@code -Dlensboard.debug.tensor-ownership=true} (on in tests) a model used after it was closed fails at once with the model's name instead of computing on freed memory.
 */
public final class LoadedModel implements AutoCloseable {
    private final String id;
    private final Transformer transformer;
    private final LensTokenizer tokenizer;
    private final NDManager manager;
    private final String source;
    private final Dtype dtype;
    private volatile boolean closed;

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
        TensorOwnership.requireOpen(this);
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

    /** The bytes its parameters take on the device, as held. */
    public long bytes() {
        return transformer.parameterBytes();
    }

    /** A manager on the model's device for one request's or one step's arrays; close it when done. */
    public NDManager newScope() {
        TensorOwnership.requireOpen(this);
        return manager.newSubManager();
    }

    /** False once {@link #close} ran: its weights are freed. */
    public boolean isOpen() {
        return !closed && manager.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        manager.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
