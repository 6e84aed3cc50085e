package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch's zip-format {@code torch.save} of a state dict of tensors ({@code params.pt}): the archive holds
 * {@code <name>/data.pkl} (the pickle, read by {@link StateDictPickle}, never run), one {@code <name>/data/<key>}
 * record per storage, and, from PyTorch 2.1, {@code <name>/byteorder}. float32, float16 and bfloat16 storages are
 * widened to float32. Every size is checked against the archive's directory before anything is read: a storage
 * record must be stored uncompressed, as torch.save writes it, so the bytes it declares are bytes the archive really
 * holds (a few kilobytes of deflated zeros cannot ask for a gigabyte); each storage is read once, however many tensors
 * view it; and the tensors' elements together must stay under the caller's limit before any is read.
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
    /** {@link #read(Path)}'s limit on the elements of all tensors together: 1 GiB as float32. */
    public static final long MAX_ELEMENTS = 1L << 28;

    private TorchSave() {}

    /** The state dict's tensors by name, in the file's order, or a {@link CheckpointException} naming the file and the tensor. */
    public static Map<String, Tensor> read(Path file) {
        return read(file, MAX_ELEMENTS);
    }

    /** As {@link #read(Path)}, refusing (before reading any) tensors of more than {@code maxElements} elements together. */
    public static Map<String, Tensor> read(Path file, long maxElements) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(zip, file);
            ByteOrder order = byteOrder(zip, prefix, file);
            ZipEntry pickle = zip.getEntry(prefix + "data.pkl");
            if (pickle.getSize() < 0 || pickle.getSize() > MAX_PICKLE) {
                throw new CheckpointException(file + ": its data.pkl is " + pickle.getSize() + " bytes; a state dict's is under " + MAX_PICKLE);
            }
            Map<String, StateDictPickle.TensorRef> refs = StateDictPickle.read(bytes(zip, pickle), file.toString());
            long archive = java.nio.file.Files.size(file);
            long elements = 0;
            long stored = 0;
            Map<String, ZipEntry> records = new LinkedHashMap<>();
            for (Map.Entry<String, StateDictPickle.TensorRef> e : refs.entrySet()) {
                elements += elements(e.getKey(), e.getValue(), file);
                ZipEntry record = record(zip, prefix, e.getKey(), e.getValue(), archive, file);
                if (records.putIfAbsent(e.getValue().storage().key(), record) == null) {
                    stored += record.getSize();
                }
            }
            if (elements > maxElements) {
                throw new CheckpointException(file + ": its " + refs.size() + " tensors hold " + elements + " elements together, more than the "
                        + maxElements + " expected here");
            }
            if (stored > archive) { // records that overlap in the archive, read again and again
                throw new CheckpointException(file + ": its storage records declare " + stored + " bytes but the archive is only " + archive);
            }
            Map<String, ByteBuffer> storages = new java.util.HashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, StateDictPickle.TensorRef> e : refs.entrySet()) {
                String key = e.getValue().storage().key();
                ByteBuffer storage = storages.get(key);
                if (storage == null) {
                    storage = ByteBuffer.wrap(bytes(zip, records.get(key))).order(order);
                    storages.put(key, storage);
                }
                tensors.put(e.getKey(), tensor(storage, e.getValue()));
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

    private static int width(String name, StateDictPickle.TensorRef t, Path file) {
        return switch (t.storage().type()) {
            case "Float" -> 4;
            case "Half", "BFloat16" -> 2;
            default -> throw new CheckpointException(file + ": tensor " + name + " is " + t.storage().type() + "; float32, float16 and bfloat16 are read");
        };
    }

    /**
     * The storage record a tensor views, checked: as long as the pickle says, and stored uncompressed within the
     * archive (a deflated record could declare any size in a few bytes).
     */
    private static ZipEntry record(ZipFile zip, String prefix, String name, StateDictPickle.TensorRef t, long archive, Path file) {
        long declared = Math.multiplyExact(t.storage().numel(), width(name, t, file));
        ZipEntry record = zip.getEntry(prefix + "data/" + t.storage().key());
        if (record == null || record.getSize() != declared) {
            throw new CheckpointException(file + ": tensor " + name + ": storage record data/" + t.storage().key() + " is "
                    + (record == null ? "missing" : record.getSize() + " bytes, not " + declared));
        }
        if (record.getMethod() != ZipEntry.STORED || record.getCompressedSize() != declared) {
            throw new CheckpointException(file + ": tensor " + name + ": storage record data/" + t.storage().key()
                    + " is compressed (" + record.getCompressedSize() + " bytes for " + declared + "); torch.save stores storages uncompressed");
        }
        if (declared > archive) {
            throw new CheckpointException(file + ": tensor " + name + ": storage record data/" + t.storage().key() + " declares "
                    + declared + " bytes but the archive is only " + archive);
        }
        return record;
    }

    /** The tensor's element count, after checking that its view lies within its storage. */
    private static long elements(String name, StateDictPickle.TensorRef t, Path file) {
        long numel = 1;
        long last = t.offset(); // the largest storage index the view reaches
        if (t.size().length != t.stride().length) {
            throw new CheckpointException(file + ": tensor " + name + " has " + t.size().length + " sizes but " + t.stride().length + " strides");
        }
        try {
            for (int d = 0; d < t.size().length; d++) {
                if (t.size()[d] < 0 || t.stride()[d] < 0) {
                    throw new CheckpointException(file + ": tensor " + name + " has a negative size or stride");
                }
                numel = Math.multiplyExact(numel, t.size()[d]);
                last = Math.addExact(last, Math.multiplyExact(Math.max(0, t.size()[d] - 1), t.stride()[d]));
            }
        } catch (ArithmeticException overflow) {
            numel = Long.MAX_VALUE;
        }
        if (numel > Integer.MAX_VALUE - 8 || (numel > 0 && (t.offset() < 0 || last >= t.storage().numel()))) {
            throw new CheckpointException(file + ": tensor " + name + " (shape " + java.util.Arrays.toString(t.size())
                    + ") does not fit its storage of " + t.storage().numel() + " elements");
        }
        return numel;
    }

    private static Tensor tensor(ByteBuffer storage, StateDictPickle.TensorRef t) {
        int width = t.storage().type().equals("Float") ? 4 : 2;
        float[] data = new float[(int) Arrays.stream(t.size()).reduce(1, Math::multiplyExact)];
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
