package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch.save files written by PyTorch 1.13.1 (src/test/resources/torch/make_fixtures.py, which printed the digests
 * below: sha256 of each tensor's float32 little-endian bytes, and its first element) read back bit-exactly.
 */
class TorchSaveTest {
    private static final Path RESOURCES = Path.of("src/test/resources");

    private record Expected(String name, long[] shape, String sha256, float first) {}

    @Test
    void readsPyTorchParamsBitExactly() {
        Map<String, TorchSave.Tensor> tensors = TorchSave.read(RESOURCES.resolve("lenses/gpt2-tiny/params.pt"));
        check(tensors, List.of(
                new Expected("0.weight", new long[] {64, 64}, "42d5ed1d756c4954b38aec6cf133feefffa9dd5d63b6dc022e47c46abee89b6c", -0.03639359027147293f),
                new Expected("0.bias", new long[] {64}, "399b66500af800579b9e7b868df7baf6db5a241633e282ea636b8944eb4885c3", 0.02839771844446659f),
                new Expected("1.weight", new long[] {64, 64}, "cf5fe6a57dafa7e778101b4c6b763244478d3cc8c665bf95bd0efd69d4317da0", 0.0004517348133958876f),
                new Expected("1.bias", new long[] {64}, "0081648f78da0bffff523025f87d734d74e78206a7bfef1a3fcbf985f67be643", 0.02587752975523472f),
                new Expected("2.weight", new long[] {64, 64}, "57a3b0dbf41796969eba735ad2358e0a7853bc779a793c1b4386ec5d7c6a46cb", -0.06418962776660919f),
                new Expected("2.bias", new long[] {64}, "302465f8b281e093af797b88c9ca16dddffc898b5c9b84557ae8ab896a95884a", -0.07504915446043015f),
                new Expected("3.weight", new long[] {64, 64}, "cf1f8291e950a209ad8f2aeb647f2dd08bccc326ea234db359e2292a90b3cf12", -0.019813312217593193f),
                new Expected("3.bias", new long[] {64}, "d78e21b9ffd2c351dd214a76400cf28d11ed7d5679d5adc2de5c79a38dc87f10", 0.027858292683959007f)));
    }

    @Test
    void readsHalfTensorsAndStridedViewsOfOneStorage() {
        Map<String, TorchSave.Tensor> tensors = TorchSave.read(RESOURCES.resolve("torch/mixed.pt"));
        check(tensors, List.of(
                new Expected("half", new long[] {3, 5}, "1f4dec4735ac2d02e4a2fef59ffe0f5d275fd18c32beed8be5f4e58de1a4fc86", 3.12109375f),
                new Expected("transposed", new long[] {3, 2}, "50041aeca83f5ed71a046f9aabae1e11edcf771a7c04c435475bceddae650b85", 0f),
                new Expected("offset", new long[] {3, 2}, "2c27d9f92f2ba9bca7871aaef90df777ef9efe2695445be74de5ef465ca01563", 4f / 7)));
        // arange(6)/7 as [2, 3], transposed: rows (0, 3), (1, 4), (2, 5)
        assertArrayEquals(new float[] {0f, 3f / 7, 1f / 7, 4f / 7, 2f / 7, 5f / 7}, tensors.get("transposed").data());
    }

    @Test
    void writesWhatItReadsBack(@TempDir Path dir) throws IOException {
        Map<String, TorchSave.Tensor> tensors = TorchSave.read(RESOURCES.resolve("lenses/gpt2-tiny/params.pt"));
        Path file = dir.resolve("params.pt");
        TorchSaveWriter.write(file, tensors);
        Map<String, TorchSave.Tensor> back = TorchSave.read(file);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.keySet()));
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), back.get(name).shape(), name);
            assertArrayEquals(tensors.get(name).data(), back.get(name).data(), name);
        }
    }

    @Test
    void writesEachRecordAlignedAs64Bytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("params.pt");
        Map<String, TorchSave.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("0.weight", new TorchSave.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("0.bias", new TorchSave.Tensor(new long[] {2}, new float[] {-1, 0.5f}));
        TorchSaveWriter.write(file, tensors);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int records = 0;
        for (int at = 0; at + 4 <= bytes.length && b.getInt(at) == 0x04034b50; records++) { // local file headers in order
            int size = b.getInt(at + 18);
            int dataStart = at + 30 + (b.getShort(at + 26) & 0xffff) + (b.getShort(at + 28) & 0xffff);
            assertEquals(0, dataStart % 64, "record " + records + " starts at " + dataStart);
            at = dataStart + size;
        }
        assertEquals(5, records); // data.pkl, byteorder, two storages, version
    }

    @Test
    void refusesAPickleThatCallsAnythingElse(@TempDir Path dir) throws IOException {
        // pickle.dumps of os.system('touch pwned') at protocol 2, as a hostile params.pt would carry it
        byte[] hostile = concat(new byte[] {(byte) 0x80, 2}, "cos\nsystem\nq\u0000X\u000b\u0000\u0000\u0000touch pwned\u0085R.".getBytes(StandardCharsets.ISO_8859_1));
        Path file = zip(dir.resolve("hostile.pt"), hostile);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchSave.read(file));
        assertTrue(e.getMessage().contains("os.system") && e.getMessage().contains("not part of a state dict"), e.getMessage());
        assertTrue(Files.notExists(Path.of("pwned")));
    }

    @Test
    void refusesAPickleThatIsNotADictOfTensors(@TempDir Path dir) throws IOException {
        Path file = zip(dir.resolve("list.pt"), new byte[] {(byte) 0x80, 2, ']', 'K', 7, 'a', '.'});
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchSave.read(file));
        assertTrue(e.getMessage().contains("not a dict of tensors"), e.getMessage());
    }

    @Test
    void refusesAStorageRecordShorterThanItsTensor(@TempDir Path dir) throws IOException {
        Map<String, TorchSave.Tensor> tensors = Map.of("w", new TorchSave.Tensor(new long[] {4}, new float[] {1, 2, 3, 4}));
        byte[] pickle = TorchSaveWriter.pickle(tensors);
        Path file = dir.resolve("short.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "archive/data.pkl", pickle);
            put(zip, "archive/data/0", new byte[12]);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchSave.read(file));
        assertTrue(e.getMessage().contains("tensor w") && e.getMessage().contains("12 bytes, not 16"), e.getMessage());
    }

    private static void check(Map<String, TorchSave.Tensor> tensors, List<Expected> expected) {
        assertEquals(expected.stream().map(Expected::name).toList(), List.copyOf(tensors.keySet()));
        for (Expected x : expected) {
            TorchSave.Tensor t = tensors.get(x.name);
            assertArrayEquals(x.shape, t.shape(), x.name);
            assertEquals(Float.floatToRawIntBits(x.first), Float.floatToRawIntBits(t.data()[0]), x.name);
            assertEquals(x.sha256, sha256(t.data()), x.name);
        }
    }

    private static String sha256(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path zip(Path file, byte[] pickle) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "archive/data.pkl", pickle);
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
