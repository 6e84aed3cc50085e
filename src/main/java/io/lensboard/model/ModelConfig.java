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

    /** The float32 bytes of those tensors (what {@link Transformer#parameterBytes()} reports for a float32 model). */
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

    /** The bytes of those tensors held in {@code dtype}: what loading this model allocates, known before it does. */
    public long parameterBytes(Dtype dtype) {
        return parameterBytes() / 4 * dtype.bytes;
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
                inner.isNumber() ? required(c, "n_inner", file) : 4 * d,
                required(c, "vocab_size", file),
                optional(c, "n_positions", optional(c, "n_ctx", 1024, file), file),
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
                optional(c, "num_key_value_heads", heads, file),
                required(c, "intermediate_size", file),
                required(c, "vocab_size", file),
                optional(c, "max_position_embeddings", 2048, file),
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
        return optional(c, key, 0, file);
    }

    /** {@code key}'s whole number, or {@code otherwise} where it is absent or null; a fraction or a number past int is refused. */
    static int optional(JsonNode c, String key, int otherwise, Path file) {
        JsonNode v = c.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return otherwise;
        }
        if (!v.isNumber() || !v.canConvertToInt() || v.asDouble() != Math.rint(v.asDouble())) {
            throw new CheckpointException(file + ": config.json's '" + key + "' must be a whole number below 2^31, got " + v);
        }
        return v.asInt();
    }

    /** The widest model this service builds: Llama-3-405B is 16,384 wide. */
    static final int MAX_WIDTH = 1 << 15;
    static final int MAX_LAYERS = 1024;
    static final int MAX_MLP = 1 << 18;
    /** The largest published vocabularies are about 256,000 tokens. */
    static final int MAX_VOCAB = 1 << 20;
    static final int MAX_CONTEXT = 1 << 20;
    /** One tensor is one Java array and one NDArray: at most this many elements. */
    static final long MAX_TENSOR = Integer.MAX_VALUE - 8;

    /**
     * Every field in its range and consistent with the others, each refusal naming the field as this architecture's
     * config.json spells it (a llama2.c or GGUF header's values are named the same way), so that no absurd config
     * reaches a division, an allocation or an array index.
     */
    public void validate(Path file) {
        range(file, dModel, 1, MAX_WIDTH, name("n_embd", "hidden_size"));
        range(file, nLayers, 1, MAX_LAYERS, name("n_layer", "num_hidden_layers"));
        range(file, nHeads, 1, dModel, name("n_head", "num_attention_heads"));
        range(file, nKvHeads, 1, nHeads, "num_key_value_heads");
        range(file, dMlp, 1, MAX_MLP, name("n_inner", "intermediate_size"));
        range(file, vocabSize, architecture == Architecture.VIT ? 0 : 1, MAX_VOCAB, architecture == Architecture.VIT ? "id2label" : "vocab_size");
        range(file, nCtx, 1, MAX_CONTEXT, name("n_positions", "max_position_embeddings"));
        if (!(normEps >= 0 && normEps < 1)) {
            throw new CheckpointException(file + ": " + name("layer_norm_epsilon", "rms_norm_eps") + " must be from 0 to below 1, got " + normEps);
        }
        if (architecture == Architecture.LLAMA && !(ropeTheta > 0 && ropeTheta < Double.POSITIVE_INFINITY)) {
            throw new CheckpointException(file + ": rope_theta must be a positive number, got " + ropeTheta);
        }
        if (!(initializerRange >= 0 && initializerRange <= 1)) {
            throw new CheckpointException(file + ": initializer_range must be from 0 to 1, got " + initializerRange);
        }
        if (bosTokenId != null && (bosTokenId < 0 || bosTokenId >= vocabSize)) {
            throw new CheckpointException(file + ": bos_token_id " + bosTokenId + " is not a token of a vocabulary of " + vocabSize);
        }
        if (dModel % nHeads != 0) {
            throw new CheckpointException(file + ": hidden size " + dModel + " is not divisible by " + nHeads + " heads");
        }
        if (nHeads % nKvHeads != 0) {
            throw new CheckpointException(file + ": " + nHeads + " heads cannot share " + nKvHeads + " key/value heads");
        }
        if (architecture == Architecture.LLAMA && dHead() % 2 != 0) {
            throw new CheckpointException(file + ": RoPE needs an even head size, got " + dHead());
        }
        tensor(file, (long) vocabSize * dModel, "vocab_size × " + name("n_embd", "hidden_size") + " (the embedding)");
        tensor(file, (long) nCtx * dModel, name("n_positions", "max_position_embeddings") + " × " + name("n_embd", "hidden_size"));
        tensor(file, (long) dMlp * dModel, name("n_inner", "intermediate_size") + " × " + name("n_embd", "hidden_size"));
        tensor(file, 3L * dModel * dModel, "3 × " + name("n_embd", "hidden_size") + "² (the attention's weights)");
    }

    private String name(String gpt2, String others) {
        return architecture == Architecture.GPT2 ? gpt2 : others;
    }

    private static void range(Path file, long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new CheckpointException(file + ": " + field + " must be from " + min + " to " + max + ", got " + value);
        }
    }

    private static void tensor(Path file, long elements, String what) {
        if (elements > MAX_TENSOR) {
            throw new CheckpointException(file + ": " + what + " makes a tensor of " + elements + " elements, more than one holds ("
                    + MAX_TENSOR + ")");
        }
    }
}
