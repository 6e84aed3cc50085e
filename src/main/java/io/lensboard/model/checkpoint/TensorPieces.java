package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * Hands a tensor stored in a checkpoint file to {@link Weights.Pieces}. Each piece's bytes are memory-mapped
 * (FileChannel.map, so the kernel's page cache is read in place) and passed on as they are where they already hold
 * float32 in this machine's byte order; otherwise they are decoded block by block into one reused native buffer.
 * Pieces are whole rows (whole groups of rows where rows are permuted) of about {@link #PIECE_BYTES} of float32:
 * no buffer comes near Java's 2 GiB limit, and a file over 2 GB is read through several mappings. Not thread-safe:
 * the decode buffer is reused, so each {@link io.lensboard.model.Weights} (one loading thread) has its own instance.
 */
final class TensorPieces {
    static final int PIECE_BYTES = 64 << 20;
    private static final boolean LITTLE_ENDIAN_MACHINE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * A tensor of {@code elements} values stored as {@code type} from byte {@code begin} of {@code file}, in rows of
     * {@code rowElements} (whole blocks); {@code name} is for messages.
     */
    record Stored(Path file, String name, long begin, StoredType type, long elements, long rowElements) {}

    private final int pieceBytes;
    private ByteBuffer decoded;

    TensorPieces() {
        this(PIECE_BYTES);
    }

    /** With pieces of about {@code pieceBytes} (tests use small ones to cross piece boundaries). */
    TensorPieces(int pieceBytes) {
        this.pieceBytes = pieceBytes;
    }

    /** The tensor in stored row order. */
    void read(Stored t, Weights.Pieces pieces) {
        read(t, 1, null, pieces);
    }

    /**
     * The tensor with output row r taken from stored row {@code storedRow(r)}, which must lie in r's group of
     * {@code group} rows (a permutation within each group, such as {@link InterleavedRope}'s within each head).
     */
    void read(Stored t, int group, LongUnaryOperator storedRow, Weights.Pieces pieces) {
        long rowBytes = checked(t, group);
        long rows = t.elements() / t.rowElements();
        long rowsPerPiece = Math.max(1, pieceBytes / (4 * t.rowElements() * group)) * group;
        int blocksPerRow = (int) (t.rowElements() / t.type().blockElements);
        try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
            if (t.type().bytes(t.elements()) > ch.size() - t.begin()) {
                throw new CheckpointException(t.file() + ": tensor '" + t.name() + "' ends past the end of the file (truncated?)");
            }
            for (long r = 0; r < rows; r += rowsPerPiece) {
                long n = Math.min(rowsPerPiece, rows - r);
                ByteBuffer stored = ch.map(FileChannel.MapMode.READ_ONLY, t.begin() + r * rowBytes, n * rowBytes)
                        .order(ByteOrder.LITTLE_ENDIAN);
                long first = r * t.rowElements();
                int count = (int) (n * t.rowElements());
                if (t.type() == StoredType.F32 && storedRow == null && LITTLE_ENDIAN_MACHINE) {
                    pieces.piece(first, count, stored);
                    continue;
                }
                ByteBuffer out = decodeBuffer(4 * count);
                FloatBuffer values = out.asFloatBuffer();
                for (long i = 0; i < n; i++) {
                    long from = storedRow == null ? i : storedRow.applyAsLong(r + i) - r;
                    if (from < 0 || from >= n) {
                        throw new IllegalArgumentException("row " + (r + i) + " is taken from outside its group");
                    }
                    stored.position((int) (from * rowBytes));
                    t.type().decode(stored, values, blocksPerRow);
                }
                pieces.piece(first, count, out);
            }
        } catch (IOException e) {
            throw new CheckpointException(t.file() + ": cannot read tensor '" + t.name() + "': " + e.getMessage(), e);
        }
    }

    /** The bytes of one stored row, once the layout is known to fit the file and the pieces to fit a buffer. */
    private long checked(Stored t, int group) {
        long rowElements = t.rowElements();
        if (t.begin() < 0 || t.elements() < 0 || rowElements <= 0 || t.elements() % rowElements != 0
                || rowElements % t.type().blockElements != 0) {
            throw new CheckpointException(t.file() + ": tensor '" + t.name() + "' has an impossible layout ("
                    + t.elements() + " values in rows of " + rowElements + " stored as " + t.type() + " at byte " + t.begin() + ")");
        }
        long rowBytes = t.type().bytes(rowElements);
        if (group * Math.max(4 * rowElements, rowBytes) > Integer.MAX_VALUE) {
            throw new CheckpointException(t.file() + ": tensor '" + t.name() + "' has rows of " + rowElements
                    + " values, more than lensboard reads in one piece");
        }
        return rowBytes;
    }

    private ByteBuffer decodeBuffer(int bytes) {
        if (decoded == null || decoded.capacity() < bytes) {
            decoded = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        decoded.clear().limit(bytes);
        return decoded;
    }

    /** A tensor of {@code elements} values read by {@code reader} into one heap array, for callers that want a float[]. */
    static float[] gather(Path file, String name, long elements, Consumer<Weights.Pieces> reader) {
        if (elements > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + elements + " values, more than a Java array holds");
        }
        float[] out = new float[(int) elements];
        reader.accept((first, count, values) -> {
            FloatBuffer from = values instanceof ByteBuffer bytes ? bytes.asFloatBuffer() : (FloatBuffer) values;
            from.get(out, (int) first, count);
        });
        return out;
    }
}
