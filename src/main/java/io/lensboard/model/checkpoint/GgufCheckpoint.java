package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Weights;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A llama GGUF file: the config from {@code llama.*} metadata, the tokenizer from {@code tokenizer.ggml.*}
 * (converted to a Hugging Face tokenizer.json), and the tensors under llama.cpp's names mapped to Hugging
 * Face's, q and k rows permuted from Meta's interleaved RoPE layout to rotate-half.
 */
final class GgufCheckpoint implements Checkpoint {
    private static final Pattern BLOCK = Pattern.compile("layers\\.(\\d+)\\.(.+)");
    private static final Map<String, String> BLOCK_NAMES = Map.of(
            "input_layernorm.weight", "attn_norm.weight",
            "self_attn.q_proj.weight", "attn_q.weight",
            "self_attn.k_proj.weight", "attn_k.weight",
            "self_attn.v_proj.weight", "attn_v.weight",
            "self_attn.o_proj.weight", "attn_output.weight",
            "post_attention_layernorm.weight", "ffn_norm.weight",
            "mlp.gate_proj.weight", "ffn_gate.weight",
            "mlp.up_proj.weight", "ffn_up.weight",
            "mlp.down_proj.weight", "ffn_down.weight");

    private final GgufFile gguf;
    private final ModelConfig config;

    private GgufCheckpoint(GgufFile gguf, ModelConfig config) {
        this.gguf = gguf;
        this.config = config;
    }

    static GgufCheckpoint open(Path file) {
        GgufFile gguf = GgufFile.open(file);
        Object arch = gguf.require("general.architecture");
        if (!"llama".equals(arch)) {
            throw new CheckpointException(file + ": GGUF architecture '" + arch + "' is not supported (lensboard reads llama GGUF files)");
        }
        int heads = integer(gguf, "llama.attention.head_count");
        int vocab = ((List<?>) gguf.require("tokenizer.ggml.tokens")).size();
        Map<String, Object> m = gguf.metadata();
        ModelConfig config = new ModelConfig(ModelConfig.Architecture.LLAMA,
                integer(gguf, "llama.embedding_length"),
                integer(gguf, "llama.block_count"),
                heads,
                m.containsKey("llama.attention.head_count_kv") ? integer(gguf, "llama.attention.head_count_kv") : heads,
                integer(gguf, "llama.feed_forward_length"),
                vocab,
                integer(gguf, "llama.context_length"),
                ((Number) gguf.require("llama.attention.layer_norm_rms_epsilon")).doubleValue(),
                m.get("llama.rope.freq_base") instanceof Number theta ? theta.doubleValue() : 10000.0,
                !gguf.tensors().containsKey("output.weight"),
                0.02,
                m.get("tokenizer.ggml.bos_token_id") instanceof Number bos ? bos.intValue() : null);
        config.validate(file);
        if (m.get("llama.rope.dimension_count") instanceof Number rot && rot.intValue() != config.dHead()) {
            throw new CheckpointException(file + ": RoPE on " + rot + " of " + config.dHead()
                    + " head dimensions (partial rotary) is not supported");
        }
        return new GgufCheckpoint(gguf, config);
    }

    private static int integer(GgufFile gguf, String key) {
        if (!(gguf.require(key) instanceof Number n)) {
            throw new CheckpointException(gguf.file() + ": GGUF metadata " + key + " is not a number");
        }
        return n.intValue();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public LensTokenizer tokenizer() {
        Object model = gguf.require("tokenizer.ggml.model");
        if (!"llama".equals(model)) {
            throw new CheckpointException(gguf.file() + ": GGUF tokenizer model '" + model
                    + "' is not supported (lensboard converts SentencePiece 'llama' vocabularies)");
        }
        List<?> tokens = (List<?>) gguf.require("tokenizer.ggml.tokens");
        List<?> scores = (List<?>) gguf.require("tokenizer.ggml.scores");
        List<?> types = (List<?>) gguf.require("tokenizer.ggml.token_type");
        float[] s = new float[tokens.size()];
        int[] t = new int[tokens.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((Number) scores.get(i)).floatValue();
            t[i] = ((Number) types.get(i)).intValue();
        }
        SentencePieceBpe vocab = new SentencePieceBpe(tokens.stream().map(Object::toString).toList(), s, t,
                id("tokenizer.ggml.bos_token_id", 1), id("tokenizer.ggml.eos_token_id", 2), id("tokenizer.ggml.unknown_token_id", 0));
        return LlamaVocabularies.open(vocab, gguf.file(), config.vocabSize());
    }

    private int id(String key, int fallback) {
        return gguf.metadata().get(key) instanceof Number n ? n.intValue() : fallback;
    }

    @Override
    public Weights weights() {
        TensorPieces tensorPieces = new TensorPieces();
        return new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                return TensorPieces.gather(gguf.file(), name, elements, pieces -> read(name, init, shape, pieces));
            }

            /** Dequantised piece by piece; W_Q and W_K rows are taken in rotate-half order within each head. */
            @Override
            public void read(String name, Init init, long[] shape, Pieces pieces) {
                String ggufName = ggufName(name);
                GgufFile.TensorInfo t = gguf.tensors().get(ggufName);
                if (t == null) {
                    throw new CheckpointException(gguf.file() + ": missing tensor '" + ggufName + "' (for " + name + ")");
                }
                long[] torchShape = reversed(t.dims());
                if (!Arrays.equals(torchShape, shape)) {
                    throw new CheckpointException(gguf.file() + ": tensor '" + ggufName + "' has shape " + Arrays.toString(torchShape)
                            + ", the metadata implies " + Arrays.toString(shape));
                }
                int dHead = config.dHead();
                if (name.endsWith("q_proj.weight") || name.endsWith("k_proj.weight")) {
                    tensorPieces.read(gguf.stored(ggufName), dHead, row -> InterleavedRope.storedRow(row, dHead), pieces);
                } else {
                    tensorPieces.read(gguf.stored(ggufName), pieces);
                }
            }

            @Override
            public String describe() {
                return gguf.file().getFileName() + " (GGUF v" + gguf.version() + ")";
            }
        };
    }

    private static String ggufName(String hfName) {
        Matcher m = BLOCK.matcher(hfName);
        if (m.matches() && BLOCK_NAMES.containsKey(m.group(2))) {
            return "blk." + m.group(1) + "." + BLOCK_NAMES.get(m.group(2));
        }
        return switch (hfName) {
            case "embed_tokens.weight" -> "token_embd.weight";
            case "norm.weight" -> "output_norm.weight";
            case "lm_head.weight" -> "output.weight";
            default -> hfName;
        };
    }

    private static long[] reversed(long[] dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[dims.length - 1 - i];
        }
        return out;
    }
}
