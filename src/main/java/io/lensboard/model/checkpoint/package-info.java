/**
 * Checkpoints to float32 parameters: Hugging Face directories (safetensors, single or sharded, in f32, f16 or
 * bf16), GGUF files (float and quantised blocks) and llama2.c checkpoints, read from memory mappings in pieces
 * ({@code TensorPieces}), their vocabularies turned into Hugging Face tokenizers, the hub
 * download that fetches them, and the seeded initialisation of untrained twins. Everything format-specific
 * ends here; the architectures only see {@link io.lensboard.model.Weights} by Hugging Face's parameter names.
 * The architectures' own {@code ParameterLoader}, which puts those weights on the device, stays in
 * {@code model}: it is how an architecture asks for its parameters, whatever file they come from.
 */
package io.lensboard.model.checkpoint;
