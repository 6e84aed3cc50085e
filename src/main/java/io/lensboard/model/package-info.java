/**
 * The architectures and their forward pass: {@link io.lensboard.model.Transformer} writes the pre-norm
 * residual block once, {@link io.lensboard.model.Gpt2} and {@link io.lensboard.model.Llama} supply what
 * differs, and {@link io.lensboard.model.Hooks} names every activation as TransformerLens does.
 * Subpackages depend on this one, never the reverse: {@code checkpoint} reads files into
 * {@link io.lensboard.model.Weights}, and {@code pool} keeps loaded models on their device.
 * {@link io.lensboard.model.CheckpointException} lives here because this package's own
 * {@link io.lensboard.model.ModelConfig} and {@link io.lensboard.model.LensTokenizer} read files too.
 */
package io.lensboard.model;
