package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch's zip-format {@code torch.save} of a state dict of tensors ({@code params.pt}): the archive holds
 * {@code <name>/data.pkl} (the pickle, read by {@link StateDictPickle}, never run), one {@code <name>/data/<key>}
 * record per storage, and, from PyTorch 2.1, {@code <name>/byteorder}. float32, float16 and bfloat16 storages are
 * widened to float32. Every size is checked against the archive's directory before anything is read.
 */
public final class TorchSave {
    /** A tensor read back: its shape and its elements, row-major. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " does not hold " + data.length + " elements");
            }
        }
    }

    /** A state dict's pickle is a few kilobytes per tensor; more than this is not one. */
    private static final long MAX_PICKLE = 64L << 20;

    private TorchSave() {}

    /** The state dict's tensors by name, in the file's order, or a {@link CheckpointException} naming the file and the tensor. */
    public static Map<String, Tensor> read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(zip, file);
            ByteOrder order = byteOrder(zip, prefix, file);
            ZipEntry pickle = zip.getEntry(prefix + "data.pkl");
            if (pickle.getSize() < 0 || pickle.getSize() > MAX_PICKLE) {
                throw new CheckpointException(file + ": its data.pkl is " + pickle.getSize() + " bytes; a state dict's is under " + MAX_PICKLE);
            }
            Map<String, StateDictPickle.TensorRef> refs = StateDictPickle.read(bytes(zip, pickle), file.toString());
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, StateDictPickle.TensorRef> e : refs.entrySet()) {
                tensors.put(e.getKey(), tensor(zip, prefix, order, e.getKey(), e.getValue(), file));
            }
            return Collections.unmodifiableMap(tensors);
        } catch (java.util.zip.ZipException e) {
            throw new CheckpointException(file + ": not a zip-format torch.save file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read it (" + e.getMessage() + ")", e);
        }
    }

    /** The archive's one top-level folder holding data.pkl, with its slash. */
    private static String prefix(ZipFile zip, Path file) {
        return zip.stream().map(ZipEntry::getName).filter(n -> n.matches("[^/]+/data\\.pkl")).findFirst()
                .map(n -> n.substring(0, n.length() - "data.pkl".length()))
                .orElseThrow(() -> new CheckpointException(file + ": no <name>/data.pkl in the archive: not a torch.save file"));
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN; // before PyTorch 2.1 the order was not written: the writers were little-endian
        }
        if (entry.getSize() > 16) {
            throw new CheckpointException(file + ": its byteorder record is " + entry.getSize() + " bytes");
        }
        return switch (new String(bytes(zip, entry), StandardCharsets.US_ASCII).trim()) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new CheckpointException(file + ": its byteorder record is neither 'little' nor 'big'");
        };
    }

    private static Tensor tensor(ZipFile zip, String prefix, ByteOrder order, String name, StateDictPickle.TensorRef t, Path file)
            throws IOException {
        int width = switch (t.storage().type()) {
            case "Float" -> 4;
            case "Half", "BFloat16" -> 2;
            default -> throw new CheckpointException(file + ": tensor " + name + " is " + t.storage().type() + "; float32, float16 and bfloat16 are read");
        };
        ZipEntry record = zip.getEntry(prefix + "data/" + t.storage().key());
        if (record == null || record.getSize() != t.storage().numel() * width) {
            throw new CheckpointException(file + ": tensor " + name + ": storage record data/" + t.storage().key() + " is "
                    + (record == null ? "missing" : record.getSize() + " bytes, not " + t.storage().numel() * width));
        }
        long numel = 1;
        long last = t.offset(); // the largest storage index the view reaches
        if (t.size().length != t.stride().length) {
            throw new CheckpointException(file + ": tensor " + name + " has " + t.size().length + " sizes but " + t.stride().length + " strides");
        }
        for (int d = 0; d < t.size().length; d++) {
            if (t.size()[d] < 0 || t.stride()[d] < 0) {
                throw new CheckpointException(file + ": tensor " + name + " has a negative size or stride");
            }
            numel = Math.multiplyExact(numel, t.size()[d]);
            last += (t.size()[d] - 1) * t.stride()[d];
        }
        if (numel > Integer.MAX_VALUE - 8 || (numel > 0 && (t.offset() < 0 || last >= t.storage().numel()))) {
            throw new CheckpointException(file + ": tensor " + name + " (shape " + java.util.Arrays.toString(t.size())
                    + ") does not fit its storage of " + t.storage().numel() + " elements");
        }
        ByteBuffer storage = ByteBuffer.wrap(bytes(zip, record)).order(order);
        float[] data = new float[(int) numel];
        long[] index = new long[t.size().length];
        for (int i = 0; i < data.length; i++) {
            long at = t.offset();
            for (int d = 0; d < index.length; d++) {
                at += index[d] * t.stride()[d];
            }
            data[i] = switch (width) {
                case 4 -> storage.getFloat((int) (at * 4));
                default -> t.storage().type().equals("Half") ? HalfFloats.f16ToFloat(storage.getShort((int) (at * 2)))
                        : HalfFloats.bf16ToFloat(storage.getShort((int) (at * 2)));
            };
            for (int d = index.length - 1; d >= 0 && ++index[d] == t.size()[d]; d--) {
                index[d] = 0; // row-major odometer
            }
        }
        return new Tensor(t.size(), data);
    }

    private static byte[] bytes(ZipFile zip, ZipEntry entry) throws IOException {
        if (entry.getSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(entry.getName() + " is " + entry.getSize() + " bytes, more than one array holds");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] b = in.readNBytes((int) entry.getSize());
            if (b.length != entry.getSize()) {
                throw new IOException(entry.getName() + " is truncated");
            }
            return b;
        }
    }
}
