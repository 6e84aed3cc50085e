package io.lensboard.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The dimensions of a checkpoint, read from a Hugging Face {@code config.json} under either
 * architecture's own key names (GPT-2's {@code n_embd}, Llama's {@code hidden_size}).
 */
public record ModelConfig(
        Architecture architecture,
        int dModel,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int dMlp,
        int vocabSize,
        int nCtx,
        double normEps,
        double ropeTheta,
        boolean tiedEmbeddings,
        double initializerRange,
        Integer bosTokenId,
        VisionConfig vision) {

    /** A text model's config: no vision part. */
    public ModelConfig(Architecture architecture, int dModel, int nLayers, int nHeads, int nKvHeads, int dMlp, int vocabSize,
                       int nCtx, double normEps, double ropeTheta, boolean tiedEmbeddings, double initializerRange,
                       Integer bosTokenId) {
        this(architecture, dModel, nLayers, nHeads, nKvHeads, dMlp, vocabSize, nCtx, normEps, ropeTheta, tiedEmbeddings,
                initializerRange, bosTokenId, null);
    }

    public enum Architecture {
        GPT2("gpt2"), LLAMA("llama"), VIT("vit");

        public final String modelType;

        Architecture(String modelType) {
            this.modelType = modelType;
        }
    }

    /** Whether the model's input is pixel_values (a ViT, or a hybrid with a ViT stem) rather than token ids. */
    public boolean takesImages() {
        return vision != null;
    }

    /** The same config with another context length and vision part (a hybrid: the stack's blocks on the stem's tokens). */
    public ModelConfig withInput(int nCtx, VisionConfig vision) {
        return new ModelConfig(architecture, dModel, nLayers, nHeads, nKvHeads, dMlp, vocabSize, nCtx, normEps, ropeTheta,
                tiedEmbeddings, initializerRange, bosTokenId, vision);
    }

    public int dHead() {
        return dModel / nHeads;
    }

    /**
     * How many parameter tensors {@link Gpt2} or {@link Llama} reads for this config, counted as their
     * constructors read them (a tied head reads none of its own); for load progress.
     */
    public int parameterTensors() {
        int head = tiedEmbeddings ? 0 : 1;
        return switch (architecture) {
            case GPT2 -> 2 + 12 * nLayers + 2 + head;   // wte, wpe; 12 per block; ln_f weight and bias
            case LLAMA -> 1 + 9 * nLayers + 1 + head;   // embed_tokens; 9 per block; norm
            // cls, positions, patch projection weight and bias; 16 per block; layernorm; the classifier if any
            case VIT -> 4 + 16 * nLayers + 2 + (vocabSize > 0 ? 2 : 0);
        };
    }

    /** The float32 bytes of those tensors (what {@link Transformer#parameterBytes()} reports once loaded). */
    public long parameterBytes() {
        long d = dModel, m = dMlp, v = vocabSize;
        long head = tiedEmbeddings ? 0 : v * d;
        long params = switch (architecture) {
            case GPT2 -> v * d + (long) nCtx * d
                    + nLayers * (2 * d + d * 3 * d + 3 * d + d * d + d + 2 * d + d * m + m + m * d + d)
                    + 2 * d + head;
            case LLAMA -> {
                long dq = (long) nHeads * dHead(), dkv = (long) nKvHeads * dHead();
                yield v * d + nLayers * (d + dq * d + 2 * dkv * d + d * dq + d + 3 * m * d) + d + head;
            }
            case VIT -> {
                long patch = (long) vision.channels() * vision.patchSize() * vision.patchSize();
                yield d + (long) nCtx * d + d * patch + d
                        + nLayers * (4 * d + 4 * (d * d + d) + d * m + m + m * d + d)
                        + 2 * d + (v > 0 ? v * d + v : 0);
            }
        };
        return 4 * params;
    }

    public static ModelConfig read(Path configJson) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new CheckpointException(configJson + ": cannot read config.json: " + e.getMessage(), e);
        }
        String type = c.path("model_type").asText("");
        ModelConfig config = switch (type) {
            case "gpt2" -> gpt2(c, configJson);
            case "llama" -> llama(c, configJson);
            case "vit" -> vit(c, configJson);
            default -> throw new CheckpointException(configJson + ": unsupported model_type '" + type
                    + "' (lensboard runs 'gpt2', 'llama' and 'vit')");
        };
        config.validate(configJson);
        return config;
    }

    private static ModelConfig gpt2(JsonNode c, Path file) {
        int d = required(c, "n_embd", file);
        JsonNode inner = c.path("n_inner");
        return new ModelConfig(Architecture.GPT2, d,
                required(c, "n_layer", file),
                required(c, "n_head", file),
                required(c, "n_head", file),
                inner.isNumber() ? inner.asInt() : 4 * d,
                required(c, "vocab_size", file),
                c.path("n_positions").asInt(c.path("n_ctx").asInt(1024)),
                c.path("layer_norm_epsilon").asDouble(1e-5),
                0,
                c.path("tie_word_embeddings").asBoolean(true),
                c.path("initializer_range").asDouble(0.02),
                c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : null);
    }

    private static ModelConfig llama(JsonNode c, Path file) {
        int heads = required(c, "num_attention_heads", file);
        return new ModelConfig(Architecture.LLAMA,
                required(c, "hidden_size", file),
                required(c, "num_hidden_layers", file),
                heads,
                c.path("num_key_value_heads").asInt(heads),
                required(c, "intermediate_size", file),
                required(c, "vocab_size", file),
                c.path("max_position_embeddings").asInt(2048),
                c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000.0),
                c.path("tie_word_embeddings").asBoolean(false),
                c.path("initializer_range").asDouble(0.02),
                c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : null);
    }

    /**
     * A ViT: tokens are CLS and one per patch; the "vocabulary" is the classifier's labels (0 without one). The
     * image geometry, labels and preprocessing (preprocessor_config.json beside it) are the vision part.
     */
    private static ModelConfig vit(JsonNode c, Path file) {
        int heads = required(c, "num_attention_heads", file);
        VisionConfig vision = VisionConfig.read(c, file);
        return new ModelConfig(Architecture.VIT,
                required(c, "hidden_size", file),
                required(c, "num_hidden_layers", file),
                heads,
                heads,
                required(c, "intermediate_size", file),
                vision.labels().size(),
                vision.tokens(),
                c.path("layer_norm_eps").asDouble(1e-12),
                0,
                false,
                c.path("initializer_range").asDouble(0.02),
                null,
                vision);
    }

    static int required(JsonNode c, String key, Path file) {
        if (!c.path(key).isNumber()) {
            throw new CheckpointException(file + ": config.json lacks the number '" + key + "'");
        }
        return c.get(key).asInt();
    }

    public void validate(Path file) {
        if (dModel % nHeads != 0) {
            throw new CheckpointException(file + ": hidden size " + dModel + " is not divisible by " + nHeads + " heads");
        }
        if (nHeads % nKvHeads != 0) {
            throw new CheckpointException(file + ": " + nHeads + " heads cannot share " + nKvHeads + " key/value heads");
        }
        if (architecture == Architecture.LLAMA && dHead() % 2 != 0) {
            throw new CheckpointException(file + ": RoPE needs an even head size, got " + dHead());
        }
    }
}
