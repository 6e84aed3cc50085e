package io.lensboard.runs.kinds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.runs.Checkpointed;
import io.lensboard.runs.Checkpointed.SavableJob;
import io.lensboard.runs.RunFiles;
import io.lensboard.model.VisionConfig;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run saved after step k, reopened from those bytes (as a replica taking it over does) and stepped to the end, is
 * the run that never stopped, to the bit: the same events from step k+1 on, the same result, and the same state at the
 * end (the optimised array and Adam's moments, compared as raw bytes). For every kind that can resume, in float32 and,
 * where the kind has it, float64.
 */
class CheckpointRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEPS = 13;

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of(new EmbeddingAscentKind(), "gpt2-tiny", "{\"layer\":2,\"feature\":\"[:, :, 7]\",\"seed\":7,\"decode_every\":4}", 5),
                Arguments.of(new SoftmaxPriorKind(), "llama-tiny", "{\"layer\":1,\"feature\":\"[:, :, 3]\",\"seed\":2,\"decode_every\":3}", 6),
                Arguments.of(new ReconstructionKind(), "stories260K", "{\"prompt\":\"Once upon a time\",\"blocks\":2,\"seed\":1,\"decode_every\":2}", 7),
                Arguments.of(new ReconstructionKind(), "gpt2-tiny",
                        "{\"prompt\":\"The sky is blue\",\"blocks\":2,\"seed\":3,\"precision\":\"float64\",\"loss\":\"l2\",\"decode_every\":5}", 4),
                Arguments.of(new ReconstructionKind(), "stories260K",
                        "{\"prompt\":\"Once upon a time\",\"blocks\":1,\"seed\":4,\"optimizer\":\"gd\",\"lr\":0.5,\"decode_every\":3}", 10),
                Arguments.of(new ImageAscentKind(IMAGES, FILES), "vit-tiny",
                        "{\"layer\":2,\"feature\":\"[:, :, 7]\",\"start\":\"image:a\",\"seed\":3,\"jitter\":2,\"optimizer\":\"adam\",\"lr\":0.05,\"snapshot_every\":4}", 6),
                Arguments.of(new ImageReconstructionKind(IMAGES, FILES), "vit-tiny",
                        "{\"layer\":2,\"target\":\"image:b\",\"start\":\"image:a\",\"seed\":1,\"optimizer\":\"adam\",\"lr\":0.05,\"snapshot_every\":5}", 8));
    }

    /** Images for the image kinds: seeded noise in the model's pixel_values, a different one per name. */
    private static final ImageInputs IMAGES = new ImageInputs() {
        @Override
        public void check(String param, String value, boolean noiseAllowed) {}

        @Override
        public float[] pixels(LoadedModel model, String value, long seed) {
            VisionConfig v = model.images().vision();
            SplittableRandom rng = new SplittableRandom(value.hashCode() * 31L + seed);
            float[] x = new float[v.channels() * v.imageSize() * v.imageSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextDouble(-1, 1);
            }
            return x;
        }
    };
    private static final RunFiles FILES = new RunFiles(Path.of("target", "checkpoint-round-trip"));

    @ParameterizedTest(name = "[{index}] on {1}, saved after step {3}")
    @MethodSource("runs")
    <P extends Record> void aRunResumedFromItsCheckpointEndsBitIdenticalToOneThatNeverStopped(Checkpointed<P> kind, String model,
                                                                                                String params, int k) throws Exception {
        try (LoadedModel m = ModelLoader.load(model, Fixtures.dir(model), null, Device.cpu())) {
            ObjectNode node = (ObjectNode) JSON.readTree(params);
            node.put("steps", STEPS);
            P p = kind.complete(kind.schema().read(node), Optional.of(m.config()));

            List<String> whole = new ArrayList<>();
            Run uninterrupted = run(kind.open(m, p, (type, data) -> whole.add(type + " " + json(data))), whole);

            List<String> first = new ArrayList<>();
            SavableJob job = kind.open(m, p, (type, data) -> first.add(type + " " + json(data)));
            run(job, first, k);
            byte[] saved = save(job);
            job.close();
            assertEquals(whole.subList(0, first.size()), first, "the first attempt's events are the run's first ones");

            List<String> rest = new ArrayList<>();
            SavableJob resumed = kind.resume(m, p, new DataInputStream(new ByteArrayInputStream(saved)));
            Run continued = run(resumed, rest);
            assertEquals(whole.subList(first.size(), whole.size()), rest, "the resumed job emits exactly the events after step " + k);
            assertEquals(uninterrupted.result(), continued.result(), "the same result");
            assertArrayEquals(uninterrupted.state(), continued.state(), "the same state at the end, bit for bit");
        }
    }

    /** A checkpoint of other parameters (here another number of input tokens) is refused, not silently used. */
    @Test
    void aCheckpointOfOtherParametersIsRefused() throws Exception {
        EmbeddingAscentKind kind = new EmbeddingAscentKind();
        try (LoadedModel m = ModelLoader.load("gpt2-tiny", Fixtures.dir("gpt2-tiny"), null, Device.cpu())) {
            AscentKind.Params four = kind.complete(kind.schema().read(JSON.readTree("{\"layer\":1,\"feature\":\"[:, :, 0]\",\"steps\":3}")),
                    Optional.of(m.config()));
            AscentKind.Params six = kind.schema().with(four, "tokens", 6);
            SavableJob job = kind.open(m, four, (type, data) -> {});
            job.step((type, data) -> {});
            byte[] saved = save(job);
            job.close();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> kind.resume(m, six, new DataInputStream(new ByteArrayInputStream(saved))));
            assertTrue(e.getMessage().contains("input"), e.getMessage());
        }
    }

    private record Run(String result, byte[] state) {}

    /** Steps the job to its end; its result and its state then. */
    private static Run run(SavableJob job, List<String> events) throws IOException {
        while (!job.finished()) {
            job.step((type, data) -> events.add(type + " " + json(data)));
        }
        try {
            return new Run(json(job.result()), save(job));
        } finally {
            job.close();
        }
    }

    /** Steps the job k times, none of them its last. */
    private static void run(SavableJob job, List<String> events, int k) {
        for (int step = 0; step < k; step++) {
            assertFalse(job.finished(), "step " + (step + 1) + " is still to do");
            job.step((type, data) -> events.add(type + " " + json(data)));
        }
        assertFalse(job.finished());
    }

    private static byte[] save(SavableJob job) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            job.save(out);
        }
        return bytes.toByteArray();
    }

    private static String json(Object data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
