package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lensboard.model.CheckpointException;
import io.lensboard.model.TunedLensWeights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile params.pt files of issue 26 (item 4), generated here opcode by opcode: each is refused within a second or
 * two with a message naming what is wrong (a CheckpointException: a 422), and a published lens still reads.
 */
class HostileTunedLensTest {
    /** Generous for a loaded CI machine; the refusals take milliseconds (the test prints each time). */
    private static final long QUICKLY_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void refusesATupleDagUsedAsADictKey() throws IOException {
        // t_0 = (); t_k = (t_{k-1}, t_{k-1}): 4 KB of pickle whose key has 2^40 paths, which hashing would walk
        refusedQuickly(lens(dagAsDictKey(40)), "nest more than 32 deep");
        // shallower than the nesting limit, it is refused as a key: only names and numbers are ever hashed
        refusedQuickly(lens(dagAsDictKey(24)), "uses a tuple or list as a dict key");
    }

    @Test
    void refusesADagPassedThroughReduce() throws IOException {
        PickleOps p = new PickleOps().proto(2);
        dag(p, 30);
        p.binget(30).reduce().stop(); // t_30(*t_30): printing either would take 2^30 steps
        refusedQuickly(lens(p.bytes()), "it calls a tuple or list with a tuple or list");
    }

    @Test
    void refusesTwoListsThatHoldEachOther() throws IOException {
        PickleOps p = new PickleOps().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().binput(0)
                .emptyList().binput(1).emptyList().binput(2)
                .binget(1).binget(2).append() // a.append(b)
                .binget(2).binget(1).append() // b.append(a)
                .binget(0).string("0.weight").binget(1).setItem().stop();
        refusedQuickly(lens(p.bytes()), "or one holds itself");
    }

    @Test
    void refusesFortyTensorsSharingOneDeflatedStorage() throws IOException {
        int side = 5000; // one 100 MB storage of zeros, deflated to about 100 KB, viewed whole by 40 tensors
        PickleOps p = new PickleOps().proto(2).global("collections", "OrderedDict").emptyTuple().reduce();
        for (int l = 0; l < 40; l++) {
            p.string(l + ".weight").matrix("0", side * side, side, side).setItem();
        }
        Path lens = lens(40, 64);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(lens.resolve("params.pt")))) {
            zip.setLevel(Deflater.BEST_SPEED);
            put(zip, "archive/data.pkl", p.stop().bytes());
            zip.putNextEntry(new ZipEntry("archive/data/0"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < (side * side * 4) / zeros.length; i++) {
                zip.write(zeros);
            }
            zip.write(zeros, 0, (side * side * 4) % zeros.length);
            zip.closeEntry();
        }
        assertTrue(Files.size(lens.resolve("params.pt")) < 1 << 20, "the archive is small");
        refusedQuickly(lens, "is compressed (");
    }

    @Test
    void refusesTensorsThatViewMoreThanTheLensHolds() throws IOException {
        // stored as torch.save stores it, one 64x64 storage viewed by 40 tensors: ten times what 4 layers of 64 hold
        PickleOps p = new PickleOps().proto(2).global("collections", "OrderedDict").emptyTuple().reduce();
        for (int l = 0; l < 40; l++) {
            p.string(l + ".weight").matrix("0", 64 * 64, 64, 64).setItem();
        }
        Path lens = lens(4, 64);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(lens.resolve("params.pt")))) {
            put(zip, "archive/data.pkl", p.stop().bytes());
            byte[] data = new byte[64 * 64 * 4];
            ZipEntry e = new ZipEntry("archive/data/0");
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(data);
            zip.closeEntry();
        }
        refusedQuickly(lens, "its 40 tensors hold 163840 elements together, more than the 16384 expected here");
    }

    @Test
    void refusesAStorageDeclaredLargerThanTheArchive() throws IOException {
        // data/0 holds 16 bytes, stored; its directory entry then says 1 GiB: what a 2^28-element tensor asks for
        int numel = 1 << 28;
        byte[] pickle = new PickleOps().proto(2).global("collections", "OrderedDict").emptyTuple().reduce()
                .string("0.weight").matrix("0", numel, 1 << 14, 1 << 14).setItem().stop().bytes();
        Path lens = lens(1, 1 << 14);
        Path file = lens.resolve("params.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "archive/data.pkl", pickle);
            byte[] data = new byte[16];
            ZipEntry e = new ZipEntry("archive/data/0");
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(data);
            zip.closeEntry();
        }
        declareSize(file, "archive/data/0", 4L * numel);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchSave.read(file));
        assertTrue(e.getMessage().contains("declares 1073741824 bytes but the archive is only " + Files.size(file)), e.getMessage());
        // through the lens, whose config asks for 2^28 elements too: refused the same way, or for the heap it would need
        refusedQuickly(lens, "");
    }

    @Test
    void refusesAPickleThatBuildsTooManyValues() throws IOException {
        PickleOps p = new PickleOps().proto(2);
        for (int i = 0; i <= StateDictPickle.MAX_VALUES; i++) {
            p.none();
        }
        refusedQuickly(lens(p.stop().bytes()), "it builds more than " + StateDictPickle.MAX_VALUES + " values");
    }

    @Test
    void stillReadsAPublishedLensAndOneItWrote() throws IOException {
        TunedLensWeights published = TunedLensFiles.read(Path.of("src/test/resources/lenses/gpt2-tiny"), "gpt2-tiny");
        assertEquals(4, published.layers());
        assertEquals(64 * 64, published.weights().get(3).length);
        TunedLensFiles.write(dir.resolve("again"), published);
        TunedLensWeights again = TunedLensFiles.read(dir.resolve("again"), "again");
        for (int l = 0; l < 4; l++) {
            assertTrue(java.util.Arrays.equals(published.weights().get(l), again.weights().get(l)), "layer " + l);
            assertTrue(java.util.Arrays.equals(published.biases().get(l), again.biases().get(l)), "layer " + l);
        }
    }

    private static void refusedQuickly(Path lens, String expected) {
        long t0 = System.nanoTime();
        CheckpointException e = assertThrows(CheckpointException.class, () -> TunedLensFiles.read(lens, "hostile"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("refused %s in %d ms: %s%n", lens.getFileName(), ms, e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(ms < QUICKLY_MS, "refused in " + ms + " ms");
    }

    /** {@code t_0 = ()} memoised as 0, then {@code t_k = (t_{k-1}, t_{k-1})} memoised as k; only t_depth stays on the stack. */
    private static void dag(PickleOps p, int depth) {
        p.emptyTuple().binput(0);
        for (int k = 1; k <= depth; k++) {
            p.binget(k - 1).tuple2().binput(k); // the stack's top is t_{k-1}: paired with itself
        }
    }

    private static byte[] dagAsDictKey(int depth) {
        PickleOps p = new PickleOps().proto(2).emptyDict();
        dag(p, depth);
        return p.none().setItem().stop().bytes(); // {t_depth: None}
    }

    private int lenses;

    /** A lens directory whose params.pt holds {@code pickle} and nothing else. */
    private Path lens(byte[] pickle) throws IOException {
        Path lens = lens(4, 64);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(lens.resolve("params.pt")))) {
            put(zip, "archive/data.pkl", pickle);
        }
        return lens;
    }

    private Path lens(int layers, int dModel) throws IOException {
        Path lens = Files.createDirectories(dir.resolve("lens" + lenses++));
        Files.writeString(lens.resolve("config.json"), "{\"d_model\": " + dModel + ", \"num_hidden_layers\": " + layers + ", \"bias\": false}");
        return lens;
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    /** Rewrites the sizes of {@code name}'s local header and central directory entry: a record that lies about its length. */
    private static void declareSize(Path file, String name, long size) throws IOException {
        byte[] zip = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        int patched = 0;
        for (int at = 0; at + 46 < zip.length; at++) {
            int signature = b.getInt(at);
            int nameAt = signature == 0x04034b50 ? at + 30 : signature == 0x02014b50 ? at + 46 : -1;
            int sizesAt = signature == 0x04034b50 ? at + 18 : at + 20;
            int nameLength = b.getShort(signature == 0x04034b50 ? at + 26 : at + 28) & 0xffff;
            if (nameAt > 0 && nameLength == wanted.length
                    && java.util.Arrays.equals(zip, nameAt, nameAt + nameLength, wanted, 0, wanted.length)) {
                b.putInt(sizesAt, (int) size); // compressed size
                b.putInt(sizesAt + 4, (int) size); // uncompressed size
                patched++;
            }
        }
        assertEquals(2, patched, "local header and central directory entry");
        Files.write(file, zip);
    }
}
