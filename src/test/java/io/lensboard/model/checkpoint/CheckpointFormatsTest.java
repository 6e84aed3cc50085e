package io.lensboard.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.lensboard.Fixtures;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.DeviceThread;
import io.lensboard.model.pool.ModelCatalog;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.model.pool.ModelPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF and llama2.c checkpoints: their tokenizers against Hugging Face's, Q8_0 against F32, and clear errors for
 * unusable files. (Their lens numbers and greedy story are checked with the Hugging Face goldens in
 * LogitLensGoldenTest and GreedyStoryTest.)
 */
class CheckpointFormatsTest {
    private static final List<String> TEXTS = List.of("Once upon a time, there was a little girl.", "Hello, wörld! ñ café",
            "日本語のテキスト", "emoji 😀 and 🦙", "tab\there\nnew line", "  two leading spaces", "x", "\u200a hair space",
            "Lily's \"quoted\" ~ [brackets]");

    @Test
    void theThreeTokenizersAgree() {
        try (LensTokenizer hf = Checkpoint.at(Fixtures.dir("stories260K/hf")).tokenizer();
             LensTokenizer gguf = Checkpoint.at(Fixtures.path("stories260K/stories260K.gguf")).tokenizer();
             LensTokenizer llama2c = Checkpoint.at(Fixtures.dir("stories260K")).tokenizer()) {
            for (String text : TEXTS) {
                long[] ids = hf.encode(text);
                assertArrayEquals(ids, gguf.encode(text), "GGUF encodes '" + text + "' as Hugging Face does");
                assertArrayEquals(ids, llama2c.encode(text), "llama2.c encodes '" + text + "' as Hugging Face does");
                assertEquals(hf.decode(ids), gguf.decode(ids), text);
                assertEquals(hf.decode(ids), llama2c.decode(ids), text);
            }
            assertTrue(hf.encode("😀").length > 2, "an emoji outside the vocabulary falls back to its bytes");
            for (int id = 0; id < 512; id++) {
                assertEquals(hf.text(id), gguf.text(id), "text of token " + id);
                assertEquals(hf.text(id), llama2c.text(id), "text of token " + id);
            }
        }
    }

    /** The merges Hugging Face made from this vocabulary, in its order: by score, then vocabulary order. */
    @Test
    void mergesAreOrderedAsHuggingFaceOrdersThem() {
        JsonNode hf = Fixtures.json(Fixtures.dir("stories260K/hf").resolve("tokenizer.json"));
        List<String> expected = new ArrayList<>();
        hf.at("/model/merges").forEach(m -> expected.add(m.isTextual() ? m.asText() : m.get(0).asText() + " " + m.get(1).asText()));
        GgufFile gguf = GgufFile.open(Fixtures.path("stories260K/stories260K.gguf"));
        List<?> scores = (List<?>) gguf.require("tokenizer.ggml.scores");
        float[] s = new float[scores.size()];
        int[] types = new int[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ((Number) scores.get(i)).floatValue();
            types[i] = ((Number) ((List<?>) gguf.require("tokenizer.ggml.token_type")).get(i)).intValue();
        }
        List<String> pieces = ((List<?>) gguf.require("tokenizer.ggml.tokens")).stream().map(Object::toString).collect(Collectors.toList());
        assertEquals(expected, new SentencePieceBpe(pieces, s, types, 1, 2, 0).merges());
    }

    /** Q8_0 (8-bit blocks of 32 with a float16 scale) stays within 2% of F32's logit range on a story prompt. */
    @Test
    void q80GgufAgreesWithF32(@TempDir Path tmp) throws IOException {
        Path f32 = Fixtures.path("stories260K/stories260K.gguf");
        GgufFile source = GgufFile.open(f32);
        GgufWriter writer = new GgufWriter().metadata(source.metadata());
        int quantised = 0;
        for (GgufFile.TensorInfo t : source.tensors().values()) {
            boolean q = t.dims().length == 2 && t.dims()[0] % 32 == 0;
            quantised += q ? 1 : 0;
            writer.tensor(t.name(), t.dims(), source.read(t.name()), q ? StoredType.Q8_0 : StoredType.F32);
        }
        Path q80 = tmp.resolve("stories260K-q8_0.gguf");
        writer.write(q80);
        assertTrue(quantised >= 30, "most matrices are Q8_0: " + quantised);
        try (LoadedModel a = ModelLoader.load("f32", f32, null, Device.cpu());
             LoadedModel b = ModelLoader.load("q8", q80, null, Device.cpu());
             NDManager scope = NDManager.newBaseManager(Device.cpu())) {
            long[] ids = a.tokenizer().encode("Once upon a time, there was a little girl named Lily.");
            NDArray la = a.transformer().logits(scope.create(ids).reshape(1, ids.length));
            NDArray lb = b.transformer().logits(scope.create(ids).reshape(1, ids.length));
            float range = la.max().getFloat() - la.min().getFloat();
            float worst = la.sub(lb).abs().max().getFloat();
            System.out.printf("Q8_0 vs F32: max |logit difference| %.4f, logit range %.2f%n", worst, range);
            assertTrue(worst > 0, "Q8_0 is really quantised");
            assertTrue(worst < 0.02 * range, "max |logit difference| " + worst + " within 2% of the range " + range);
            assertArrayEquals(la.argMax(-1).toLongArray(), lb.argMax(-1).toLongArray(), "the same next-token predictions");
        }
    }

    @Test
    void untrainedTwinOfAGgufNeedsNoTensors() {
        try (LoadedModel m = ModelLoader.load("stories260K:untrained", Fixtures.path("stories260K/stories260K.gguf"), 0L, Device.cpu())) {
            assertEquals(5, m.config().nLayers());
            assertEquals(512, m.config().vocabSize());
            assertTrue(m.source().contains("untrained"), m.source());
        }
    }

    @Test
    void unusableFilesFailWithTheFileNamed(@TempDir Path tmp) throws IOException {
        Path good = Fixtures.path("stories260K/stories260K.gguf");
        byte[] bytes = Files.readAllBytes(good);

        Path magic = tmp.resolve("magic.gguf");
        byte[] wrong = bytes.clone();
        wrong[0] = 'X';
        Files.write(magic, wrong);
        assertMessage(magic, "not a GGUF file");

        Path truncated = tmp.resolve("truncated.gguf");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertMessage(truncated, "truncated");
        Path header = tmp.resolve("header.gguf");
        Files.write(header, java.util.Arrays.copyOf(bytes, 100));
        assertMessage(header, "truncated");

        GgufFile source = GgufFile.open(good);
        Path arch = tmp.resolve("arch.gguf");
        new GgufWriter().metadata(source.metadata()).put("general.architecture", "falcon").write(arch);
        assertMessage(arch, "GGUF architecture 'falcon' is not supported");

        Path type = tmp.resolve("q2_k.gguf");
        Path q2k = withTensorType(good, type, "token_embd.weight", 10); // Q2_K: not read
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("q2k", q2k, null, Device.cpu()));
        assertTrue(e.getMessage().contains(type.toString()) && e.getMessage().contains("token_embd.weight")
                && e.getMessage().contains("ggml type 10"), e.getMessage());

        Path bin = tmp.resolve("llama2c");
        Files.createDirectories(bin);
        byte[] model = Files.readAllBytes(Fixtures.path("stories260K/stories260K.bin"));
        Files.write(bin.resolve("model.bin"), java.util.Arrays.copyOf(model, model.length - 1000));
        Files.copy(Fixtures.path("stories260K/tok512.bin"), bin.resolve("tok512.bin"));
        assertMessage(bin, "truncated");
    }

    private static void assertMessage(Path path, String message) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelLoader.load("bad", path, null, Device.cpu()));
        assertTrue(e.getMessage().contains(path.toString()) && e.getMessage().contains(message), e.getMessage());
    }

    /** A copy of a GGUF with one tensor's ggml type field overwritten (its data left as it was). */
    private static Path withTensorType(Path gguf, Path out, String tensor, int type) throws IOException {
        byte[] bytes = Files.readAllBytes(gguf);
        byte[] name = tensor.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + name.length < bytes.length; i++) {
            if (b.getLong(i) == name.length && java.util.Arrays.equals(java.util.Arrays.copyOfRange(bytes, i + 8, i + 8 + name.length), name)) {
                int at = i + 8 + name.length;
                int nDims = b.getInt(at);
                b.putInt(at + 4 + 8 * nDims, type);
                Files.write(out, bytes);
                return out;
            }
        }
        throw new IllegalStateException("no tensor " + tensor);
    }

    @Test
    void catalogListsGgufFilesAndLlama2cDirectories() {
        ModelCatalog inStories = new ModelCatalog(List.of(Fixtures.dir("stories260K")), null);
        List<String> ids = inStories.local().stream().map(ModelCatalog.LocalModel::id).toList();
        assertTrue(ids.contains("hf") && ids.contains("stories260K"), ids.toString());
        assertTrue(inStories.findLocal("stories260K").orElseThrow().path().toString().endsWith(".gguf"));
        assertEquals(5, inStories.config(inStories.findLocal("stories260K").orElseThrow()).nLayers());
        ModelCatalog inRoot = new ModelCatalog(List.of(Fixtures.root()), null);
        ModelCatalog.LocalModel llama2c = inRoot.findLocal("stories260K").orElseThrow();
        assertTrue(Files.isDirectory(llama2c.path()) && llama2c.weights());
        assertEquals(512, inRoot.config(llama2c).vocabSize());
    }

    /** A broken file in a models directory fails on its own, naming itself; the pool goes on serving the others. */
    @Test
    void aBrokenGgufLeavesThePoolServing(@TempDir Path models) throws Exception {
        Files.write(models.resolve("broken.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        Files.createSymbolicLink(models.resolve("stories.gguf"), Fixtures.path("stories260K/stories260K.gguf"));
        try (DeviceThread device = new DeviceThread(Device.cpu());
             ModelPool pool = new ModelPool(new ModelCatalog(List.of(models), null), device, Long.MAX_VALUE)) {
            assertEquals(List.of("broken", "stories"), pool.catalog().local().stream().map(ModelCatalog.LocalModel::id).toList());
            java.util.concurrent.CompletionException e = assertThrows(java.util.concurrent.CompletionException.class,
                    () -> pool.run("broken", m -> 0).join());
            String message = ModelPool.message(e);
            assertTrue(message.contains("broken.gguf") && message.contains("truncated"), message);
            assertEquals(5, pool.run("stories", m -> m.config().nLayers()).get());
        }
    }

    /** Load progress counts against the config's totals; they must match what every format actually reads. */
    @Test
    void configPredictsEveryTensorReadAndItsBytesInEachFormat() {
        List<String> models = new ArrayList<>(Fixtures.STORIES);
        models.add("llama-tiny");
        models.add("gpt2-tiny");
        for (String name : models) {
            long[] last = new long[4];
            try (LoadedModel m = ModelLoader.load(name, Fixtures.path(name), null, Device.cpu(),
                    (tensor, done, total, bytesDone, bytesTotal) -> {
                        last[0] = done;
                        last[1] = total;
                        last[2] = bytesDone;
                        last[3] = bytesTotal;
                    })) {
                assertEquals(last[1], last[0], name + ": every tensor the config implies was read, no more");
                assertEquals(m.bytes(), last[2], name);
                assertEquals(m.bytes(), last[3], name);
            }
        }
    }
}
