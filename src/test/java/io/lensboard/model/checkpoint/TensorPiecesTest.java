package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored tensors handed over piece by piece from memory-mapped files, with every extent checked against the file. */
class TensorPiecesTest {
    private static final int ROWS = 10;
    private static final int COLS = 6;

    private static float[] values() {
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 7;
        }
        return v;
    }

    private static byte[] f32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static Path file(Path dir, byte[] data) throws IOException {
        Path f = dir.resolve("t.bin");
        Files.write(f, data);
        return f;
    }

    /** Three rows of float32 per piece: four pieces, each the file's own bytes mapped, not copied. */
    @Test
    void float32PiecesAreTheMappedFile(@TempDir Path tmp) throws IOException {
        Path f = file(tmp, f32(values()));
        var t = new TensorPieces.Stored(f, "t", 0, StoredType.F32, ROWS * COLS, COLS);
        List<Long> firsts = new ArrayList<>();
        float[] got = new float[ROWS * COLS];
        new TensorPieces(3 * COLS * 4).read(t, (first, count, values) -> {
            firsts.add(first);
            assertTrue(values.isDirect() && values instanceof ByteBuffer, "a mapped region");
            ((ByteBuffer) values).asFloatBuffer().get(got, (int) first, count);
        });
        assertEquals(List.of(0L, 18L, 36L, 54L), firsts);
        assertArrayEquals(values(), got);
    }

    @Test
    void halfPrecisionIsWidenedIntoTheDecodeBuffer(@TempDir Path tmp) throws IOException {
        byte[] bf16 = SafetensorsFiles.toBf16(f32(values())); // exact: the values need few mantissa bits
        Path f = file(tmp, bf16);
        var t = new TensorPieces.Stored(f, "t", 0, StoredType.BF16, ROWS * COLS, COLS);
        TensorPieces pieces = new TensorPieces(4 * COLS * 4);
        assertArrayEquals(values(), TensorPieces.gather(f, "t", ROWS * COLS, sink -> pieces.read(t, sink)));
    }

    /** Rows permuted within groups of two (as W_Q's within heads): pieces hold whole groups. */
    @Test
    void rowsArePermutedWithinTheirGroup(@TempDir Path tmp) throws IOException {
        Path f = file(tmp, f32(values()));
        var t = new TensorPieces.Stored(f, "t", 0, StoredType.F32, ROWS * COLS, COLS);
        TensorPieces pieces = new TensorPieces(COLS * 4); // one row's worth, rounded up to a group
        float[] got = TensorPieces.gather(f, "t", ROWS * COLS, sink -> pieces.read(t, 2, row -> row ^ 1, sink));
        float[] v = values();
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                assertEquals(v[(r ^ 1) * COLS + c], got[r * COLS + c], "row " + r);
            }
        }
    }

    @Test
    void aTensorPastTheEndOfTheFileIsRefused(@TempDir Path tmp) throws IOException {
        Path f = file(tmp, f32(values()));
        var t = new TensorPieces.Stored(f, "t", 8, StoredType.F32, ROWS * COLS, COLS);
        CheckpointException e = assertThrows(CheckpointException.class, () -> new TensorPieces().read(t, (first, count, values) -> {}));
        assertTrue(e.getMessage().contains("'t' ends past the end of the file"), e.getMessage());
        var negative = new TensorPieces.Stored(f, "t", -4, StoredType.F32, ROWS * COLS, COLS);
        assertThrows(CheckpointException.class, () -> new TensorPieces().read(negative, (first, count, values) -> {}));
    }

    @Test
    void safetensorsOffsetsOutsideTheFileAreRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Path file = dir.resolve("model.safetensors");
        SafetensorsFiles.write(file, Map.of("w", new SafetensorsFiles.Tensor("F32", new long[] {ROWS, COLS}, f32(values()))));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsWeights.open(dir));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aShardOutsideTheModelDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        SafetensorsFiles.write(tmp.resolve("outside.safetensors"),
                Map.of("w", new SafetensorsFiles.Tensor("F32", new long[] {ROWS, COLS}, f32(values()))));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"w\": \"../outside.safetensors\"}}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsWeights.open(dir));
        assertTrue(e.getMessage().contains("outside the model's directory"), e.getMessage());
    }
}
