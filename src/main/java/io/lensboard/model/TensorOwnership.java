package io.lensboard.model;

/**
 * The debug check of who owns which tensors ({@code -Dlensboard.debug.tensor-ownership=true}, on in tests): a
 * closed (evicted) model used again throws here, naming the model, instead of letting
 * PyTorch read memory that was freed. Off, each check is one read of a static final field.
 */
public final class TensorOwnership {
    /** Read once: the checks sit on every step's path. */
    public static final boolean CHECKED = Boolean.getBoolean("lensboard.debug.tensor-ownership");

    private TensorOwnership() {}

    /** Fails if {@code model} was closed (evicted) and is used anyway. */
    public static void requireOpen(LoadedModel model) {
        if (CHECKED && !model.isOpen()) {
            throw new IllegalStateException("model '" + model.id() + "' (" + model.dtype()
                    + ") was closed, its weights freed, and is still used: a lease must hold a model for as long as it is used");
        }
    }
}
