package io.lensboard.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * How a checkpoint stores a tensor's elements: in blocks of {@code blockElements} values taking {@code blockBytes}
 * bytes (one value per block for the float types), and how blocks are decoded to float32.
 */
enum StoredType {
    F32(0, 1, 4, (in, out, n) -> {
        out.put(in.asFloatBuffer().limit(n));
        in.position(in.position() + 4 * n);
    }),
    F16(1, 1, 2, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            out.put(HalfFloats.f16ToFloat(in.getShort()));
        }
    }),
    BF16(30, 1, 2, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            out.put(HalfFloats.bf16ToFloat(in.getShort()));
        }
    }),
    Q4_0(2, GgufBlocks.QK, 18, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q4_0(in, out);
        }
    }),
    Q4_1(3, GgufBlocks.QK, 20, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q4_1(in, out);
        }
    }),
    Q5_0(6, GgufBlocks.QK, 22, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q5_0(in, out);
        }
    }),
    Q5_1(7, GgufBlocks.QK, 24, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q5_1(in, out);
        }
    }),
    Q8_0(8, GgufBlocks.QK, 34, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q8_0(in, out);
        }
    }),
    Q4_K(12, GgufBlocks.QK_K, 144, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q4_K(in, out);
        }
    }),
    Q5_K(13, GgufBlocks.QK_K, 176, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q5_K(in, out);
        }
    }),
    Q6_K(14, GgufBlocks.QK_K, 210, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q6_K(in, out);
        }
    }),
    Q8_K(15, GgufBlocks.QK_K, 292, (in, out, n) -> {
        for (int i = 0; i < n; i++) {
            GgufBlocks.q8_K(in, out);
        }
    });

    /** Decodes {@code blocks} blocks from {@code in} (little-endian, at its position) to {@code out}. */
    @FunctionalInterface
    interface Decoder {
        void decode(ByteBuffer in, FloatBuffer out, int blocks);
    }

    /** ggml.h's enum ggml_type. */
    final int ggml;
    final int blockElements;
    final int blockBytes;
    private final Decoder decoder;

    StoredType(int ggml, int blockElements, int blockBytes, Decoder decoder) {
        this.ggml = ggml;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
        this.decoder = decoder;
    }

    /** Bytes that {@code elements} values take (a whole number of blocks, which the caller has checked). */
    long bytes(long elements) {
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    void decode(ByteBuffer in, FloatBuffer out, int blocks) {
        decoder.decode(in, out, blocks);
    }

    /** The type with ggml id {@code id} as GGUF writes it (ggml.h's enum ggml_type), or null for one lensboard does not read. */
    static StoredType ofGgml(int id) {
        for (StoredType t : values()) {
            if (t.ggml == id) {
                return t;
            }
        }
        return null;
    }
}
