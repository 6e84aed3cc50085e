package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A llama2.c checkpoint (Karpathy's legacy {@code .bin}): a header of seven int32 (dim, hidden_dim, n_layers,
 * n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means a separate classifier), then float32
 * tensors in a fixed order, each [out, in] like PyTorch's; with the {@code tok*.bin} vocabulary beside it.
 * Its RoPE is Meta's interleaved one, so q and k rows are permuted to rotate-half at load.
 */
final class Llama2cCheckpoint implements Checkpoint {
    private static final Pattern BLOCK = Pattern.compile("layers\\.(\\d+)\\.(.+)");

    /** The checkpoint and its vocabulary. */
    record Parts(Path bin, Path tokenizer) {}

    private final Parts parts;
    private final ModelConfig config;
    private final Map<String, Long> offsets = new HashMap<>(); // float index of each tensor, by Hugging Face name
    private final long end;                                      // one past the last float the header implies

    private Llama2cCheckpoint(Parts parts, ModelConfig config) {
        this.parts = parts;
        this.config = config;
        int d = config.dModel();
        int kv = config.nKvHeads() * config.dHead();
        int h = config.dMlp();
        long at = 7; // the header is seven int32, one float each
        at = put("embed_tokens.weight", at, (long) config.vocabSize() * d);
        String[] perLayer = {"input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                "self_attn.o_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.down_proj.weight", "mlp.up_proj.weight"};
        long[] sizes = {d, (long) d * d, (long) kv * d, (long) kv * d, (long) d * d, d, (long) h * d, (long) d * h, (long) h * d};
        for (int t = 0; t < perLayer.length; t++) {
            for (int l = 0; l < config.nLayers(); l++) {
                at = put("layers." + l + "." + perLayer[t], at, sizes[t]);
            }
        }
        at = put("norm.weight", at, d);
        at += (long) config.nCtx() * config.dHead(); // freq_cis_real and freq_cis_imag, unused
        if (!config.tiedEmbeddings()) {
            at = put("lm_head.weight", at, (long) config.vocabSize() * d);
        }
        end = at;
    }

    private long put(String name, long at, long size) {
        offsets.put(name, at);
        return at + size;
    }

    /** A directory holding one llama2.c {@code .bin} and a {@code tok*.bin}. */
    static Optional<Parts> find(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> bins = new ArrayList<>();
        Path tok = null;
        for (Path p : Checkpoint.list(dir)) {
            String name = p.getFileName().toString();
            if (!name.endsWith(".bin") || !Files.isRegularFile(p)) {
                continue;
            }
            if (name.startsWith("tok")) {
                tok = p;
            } else {
                bins.add(p);
            }
        }
        return bins.size() == 1 && tok != null ? Optional.of(new Parts(bins.get(0), tok)) : Optional.empty();
    }

    static Llama2cCheckpoint open(Parts parts) {
        Path bin = parts.bin();
        ByteBuffer header = read(bin, 0, 28);
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = header.getInt();
        }
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = Math.abs(h[5]), seqLen = h[6];
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0 || seqLen <= 0 || dim % heads != 0) {
            throw new CheckpointException(bin + ": not a llama2.c checkpoint (header " + java.util.Arrays.toString(h) + ")");
        }
        ModelConfig config = new ModelConfig(ModelConfig.Architecture.LLAMA, dim, layers, heads, kvHeads, hidden, vocab, seqLen,
                1e-5, 10000.0, h[5] > 0, 0.02, 1);
        config.validate(bin);
        Llama2cCheckpoint c = new Llama2cCheckpoint(parts, config);
        long need = 4 * c.end;
        long size = size(bin);
        if (size < need) {
            throw new CheckpointException(bin + ": truncated: the header implies " + need + " bytes, the file has " + size);
        }
        return c;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static ByteBuffer read(Path file, long at, int bytes) {
        ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf, at + buf.position()) < 0) {
                    throw new CheckpointException(file + ": truncated at byte " + (at + buf.position()));
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        return buf.flip();
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /**
     * tok*.bin: int32 max_token_length, then per token float32 score, int32 length, UTF-8 bytes. llama2.c's
     * export wrote SentencePiece's '▁' as a space and BOS/EOS as "\n&lt;s&gt;\n" and "\n&lt;/s&gt;\n"; undone here.
     */
    @Override
    public LensTokenizer tokenizer() {
        Path tok = parts.tokenizer();
        long size = size(tok);
        ByteBuffer buf = read(tok, 0, (int) size);
        buf.getInt();
        int n = config.vocabSize();
        List<String> pieces = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 8) {
                throw new CheckpointException(tok + ": truncated at token " + i + " of " + n);
            }
            scores[i] = buf.getFloat();
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new CheckpointException(tok + ": truncated or corrupt at token " + i);
            }
            byte[] bytes = new byte[len];
            buf.get(bytes);
            String piece = i == 1 ? "<s>" : i == 2 ? "</s>" : new String(bytes, StandardCharsets.UTF_8).replace(' ', '▁');
            pieces.add(piece);
            types[i] = i == 0 ? SentencePieceBpe.UNKNOWN : i <= 2 ? SentencePieceBpe.CONTROL
                    : piece.matches("<0x[0-9A-F]{2}>") ? SentencePieceBpe.BYTE : SentencePieceBpe.NORMAL;
        }
        return LlamaVocabularies.open(new SentencePieceBpe(pieces, scores, types, 1, 2, 0), tok, n);
    }

    @Override
    public Weights weights() {
        return new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                Long at = offsets.get(name);
                if (at == null) {
                    throw new CheckpointException(parts.bin() + ": a llama2.c checkpoint has no tensor '" + name + "'");
                }
                long count = 1;
                for (long s : shape) {
                    count *= s;
                }
                float[] w = new float[(int) count];
                Llama2cCheckpoint.read(parts.bin(), 4 * at, (int) (4 * count)).asFloatBuffer().get(w);
                Matcher m = BLOCK.matcher(name);
                if (m.matches() && m.group(2).equals("self_attn.q_proj.weight")) {
                    return InterleavedRope.toRotateHalf(w, config.nHeads(), (int) shape[1]);
                }
                if (m.matches() && m.group(2).equals("self_attn.k_proj.weight")) {
                    return InterleavedRope.toRotateHalf(w, config.nKvHeads(), (int) shape[1]);
                }
                return w;
            }

            @Override
            public String describe() {
                return parts.bin().getFileName() + " (llama2.c)";
            }
        };
    }
}
