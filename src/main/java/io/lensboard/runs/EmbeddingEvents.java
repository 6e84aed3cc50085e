package io.lensboard.runs;

import io.lensboard.analysis.Embeddings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's embeddings e, e_0 and e_final stored in its event log as {@code embedding} events, so that they persist
 * with the run (no table of their own) and any kind can offer them: each event carries one slice of one tensor,
 * little-endian F32 or F64 in base64, small enough for a stored event.
 */
public final class EmbeddingEvents {
    /** The event type, read back by {@link RunExports}. */
    public static final String TYPE = "embedding";
    /** The tensors' names in the safetensors export, in order. */
    public static final List<String> NAMES = List.of("e", "e_0", "e_final");
    /** Values per event: 32,768 F64 values are 256 KiB, 350 KiB in base64. */
    private static final int CHUNK = 32_768;

    private EmbeddingEvents() {}

    /** Emits e, e_0 and e_final as embedding events, in chunks. */
    public static void emit(RunKind.Progress progress, Embeddings embeddings) {
        List<double[]> tensors = List.of(embeddings.e(), embeddings.e0(), embeddings.eFinal());
        String dtype = embeddings.float64() ? "F64" : "F32";
        for (int t = 0; t < tensors.size(); t++) {
            double[] values = tensors.get(t);
            for (int from = 0; from < values.length; from += CHUNK) {
                int to = Math.min(values.length, from + CHUNK);
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("tensor", NAMES.get(t));
                event.put("dtype", dtype);
                event.put("shape", new int[] {embeddings.tokens(), embeddings.width()});
                event.put("offset", from);
                event.put("data", Base64.getEncoder().encodeToString(bytes(values, from, to, embeddings.float64())));
                progress.emit(TYPE, event);
            }
        }
    }

    /** values[from..to) as little-endian F64 or F32 (float32 runs' values are exact floats). */
    private static byte[] bytes(double[] values, int from, int to, boolean float64) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * (float64 ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            if (float64) {
                b.putDouble(values[i]);
            } else {
                b.putFloat((float) values[i]);
            }
        }
        return b.array();
    }
}
