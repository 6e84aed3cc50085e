package io.lensboard.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict of float32 tensors as PyTorch's zip-format {@code torch.save} does, so that {@code torch.load}
 * reads it: {@code archive/data.pkl} (pickle protocol 2: an OrderedDict of {@code _rebuild_tensor_v2} calls on
 * persistent storage ids), {@code archive/data/<i>} little-endian, each record's data aligned to 64 bytes as
 * PyTorch aligns it, {@code archive/byteorder} and {@code archive/version}.
 */
public final class TorchSaveWriter {
    private static final String PREFIX = "archive/";
    private static final int ALIGN = 64;

    private TorchSaveWriter() {}

    /** Writes {@code tensors} (names in order) to {@code file}, replacing it. */
    public static void write(Path file, Map<String, TorchSave.Tensor> tensors) throws IOException {
        try (Counting counted = new Counting(Files.newOutputStream(file)); ZipOutputStream zip = new ZipOutputStream(counted)) {
            record(zip, counted, "data.pkl", pickle(tensors));
            record(zip, counted, "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int key = 0;
            for (TorchSave.Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(t.data());
                record(zip, counted, "data/" + key++, b.array());
            }
            record(zip, counted, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** An uncompressed record whose data starts on a multiple of 64 bytes (padding in an extra field, as PyTorch's 'FB'). */
    private static void record(ZipOutputStream zip, Counting counted, String name, byte[] data) throws IOException {
        zip.flush();
        String full = PREFIX + name;
        long headerEnd = counted.count + 30 + full.getBytes(StandardCharsets.UTF_8).length + 4; // local header, name, extra's own header
        int pad = (int) ((ALIGN - headerEnd % ALIGN) % ALIGN);
        byte[] extra = new byte[4 + pad];
        ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x4246).putShort((short) pad);
        ZipEntry e = new ZipEntry(full);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The pickle of {@code OrderedDict([(name, _rebuild_tensor_v2(storage i, 0, shape, strides, False, OrderedDict())), …])}. */
    static byte[] pickle(Map<String, TorchSave.Tensor> tensors) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2); // PROTO 2, as torch.save
        global(p, "collections", "OrderedDict");
        p.write(')');
        p.write('R');
        p.write('(');
        int key = 0;
        for (Map.Entry<String, TorchSave.Tensor> e : tensors.entrySet()) {
            long[] shape = e.getValue().shape();
            unicode(p, e.getKey());
            global(p, "torch._utils", "_rebuild_tensor_v2");
            p.write('(');
            p.write('('); // the persistent id: ('storage', torch.FloatStorage, key, location, numel)
            unicode(p, "storage");
            global(p, "torch", "FloatStorage");
            unicode(p, String.valueOf(key++));
            unicode(p, "cpu");
            integer(p, e.getValue().data().length);
            p.write('t');
            p.write('Q');
            integer(p, 0); // storage offset
            tuple(p, shape);
            tuple(p, strides(shape));
            p.write(0x89); // requires_grad False
            global(p, "collections", "OrderedDict"); // backward hooks: an empty OrderedDict
            p.write(')');
            p.write('R');
            p.write('t');
            p.write('R');
        }
        p.write('u');
        p.write('.');
        return p.toByteArray();
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = step;
            step *= shape[d];
        }
        return s;
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
        p.write('c');
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        p.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream p, long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a size of " + v + " does not fit BININT");
        }
        p.write('J');
        p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    private static void tuple(ByteArrayOutputStream p, long[] values) {
        p.write('(');
        for (long v : values) {
            integer(p, v);
        }
        p.write('t');
    }

    /** Counts the bytes written, so that each record's data can be aligned. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
