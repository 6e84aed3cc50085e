package io.lensboard.runs.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.Fixtures;
import io.lensboard.model.LoadProgress;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.VisionConfig;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.runs.RunFiles;
import io.lensboard.runs.RunKind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run kinds image-ascent and image-reconstruction, stepped as the run loop steps them, against
 * {@code vit-tiny/golden.json} (written by the steering repo's independent PyTorch reference, {@code ref/vit.py}).
 * The golden's ascent starts from a formula, not from noise or a picture, so the kinds read their images here from
 * a stand-in for {@link ImageInputs}. Tolerances as the fixture's README states them: |got − want| <= rtol · scale,
 * rtol 1e-4 for activations (values, losses), 1e-3 for gradients and the ascent's final pixels; scale = max |want|
 * of a list, |want| + 1e-6 for a scalar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageKindsGoldenTest {
    private static final double ACT = 1e-4;
    private static final double GRAD = 1e-3;

    @TempDir
    Path files;

    private JsonNode golden;
    private LoadedModel vit;
    private LoadedModel hybrid;
    private BufferedImage sample;

    @BeforeAll
    void load() throws IOException {
        Path dir = Fixtures.dir("vit-tiny");
        golden = Fixtures.json(dir.resolve("golden.json"));
        sample = ImageIO.read(dir.resolve("sample.png").toFile());
        vit = ModelLoader.load("vit-tiny", dir, null, Device.cpu());
        hybrid = ModelLoader.loadHybrid("vit-tiny+gpt2-tiny", dir, null, Fixtures.dir("gpt2-tiny"), null, Device.cpu(), LoadProgress.NONE);
    }

    @AfterAll
    void close() {
        if (vit != null) {
            vit.close();
        }
        if (hybrid != null) {
            hybrid.close();
        }
    }

    /** Images by name: "image:sample", "image:flipped" (left-right), or "formula" (the golden ascent's x0). */
    private ImageInputs inputs() {
        return new ImageInputs() {
            @Override
            public void check(String param, String value, boolean noiseAllowed) {}

            @Override
            public float[] pixels(LoadedModel model, String value, long seed) {
                VisionConfig v = model.images().vision();
                float[] x = v.processor().pixelValues(sample, v.channels());
                return switch (value) {
                    case "image:sample" -> x;
                    case "image:flipped" -> flipped(x, v.imageSize());
                    case "formula" -> formula(golden.path("ascent").path("start"));
                    default -> throw new AssertionError(value);
                };
            }
        };
    }

    @Test
    void twentyStepAscentThroughTheKindIsTheReferences() {
        JsonNode want = golden.path("ascent");
        assertEquals("hybrid", want.path("model").asText());
        int steps = want.path("steps").asInt();
        ImageAscentKind kind = new ImageAscentKind(inputs(), new RunFiles(files));
        var p = new ImageAscentKind.Params(want.path("block").asInt(), want.path("feature").asText(), steps,
                want.path("lr").asDouble(), "gd", "formula", 0, 0, 0, false, 5);
        p = kind.complete(p, Optional.of(hybrid.config()));
        List<Map<String, Object>> events = new ArrayList<>();
        ImageAscentKind.Result r = (ImageAscentKind.Result) run(kind, hybrid, p, events);

        double[] wantValues = doubles(want.path("values"));
        assertEquals(steps + 1, r.values().size(), "values[0] before the first update, then one per step");
        assertList(wantValues, r.values().stream().mapToDouble(Double::doubleValue).toArray(), ACT, "values");
        assertEquals(steps + 1, events.size());
        for (int t = 0; t <= steps; t++) {
            Map<String, Object> e = events.get(t);
            assertEquals(t, e.get("step"));
            assertEquals(r.values().get(t), (Double) e.get("value"), 0.0, "event " + t + " carries values[" + t + "]");
            assertEquals(t % 5 == 0, e.containsKey("snapshot"), "a snapshot every 5 steps and at the end: step " + t);
        }
        assertTrue(((String) events.get(0).get("snapshot")).startsWith("data:image/png;base64,"));
        assertEquals(16, ((double[]) events.get(steps).get("patch_change")).length, "one change per patch of the 4x4 grid");

        float[] x = pixelValues(r.tensor());
        double[] first8 = new double[8];
        for (int i = 0; i < 8; i++) {
            first8[i] = x[i];
        }
        assertList(doubles(want.path("final_first8")), first8, GRAD, "final_first8");
    }

    @Test
    void reconstructionObjectiveAndItsGradientThroughTheKindAreTheReferences() {
        for (LoadedModel model : List.of(vit, hybrid)) {
            JsonNode want = golden.path(model == vit ? "vit" : "hybrid").path("reconstruction");
            ImageReconstructionKind kind = new ImageReconstructionKind(inputs(), new RunFiles(files));
            double lr = 1;
            var p = new ImageReconstructionKind.Params("image:flipped", want.path("block").asInt(), "l1", "gd", lr, 1,
                    "image:sample", 0, null);
            p = kind.complete(p, Optional.of(model.config()));
            List<Map<String, Object>> events = new ArrayList<>();
            ImageReconstructionKind.Result r = (ImageReconstructionKind.Result) run(kind, model, p, events);
            String what = model.id() + " reconstruction";
            assertEquals(2, r.losses().size());
            assertScalar(want.path("l1_mean").asDouble(), r.losses().get(0), ACT, what + " l1_mean");
            assertTrue(r.losses().get(1) < r.losses().get(0), what + ": one step down the gradient lowers the loss");
            assertTrue(events.get(0).containsKey("snapshot") && "target".equals(events.get(0).get("type")), what + ": the target first");

            // x_1 = x_0 − lr ∇loss, so the gradient is (x_0 − x_1) / lr
            VisionConfig v = model.images().vision();
            float[] x0 = v.processor().pixelValues(sample, v.channels());
            float[] x1 = pixelValues(r.tensor());
            double[] grad = new double[x0.length];
            double l2 = 0;
            for (int i = 0; i < x0.length; i++) {
                grad[i] = (x0[i] - x1[i]) / lr;
                l2 += grad[i] * grad[i];
            }
            double[] first8 = java.util.Arrays.copyOf(grad, 8);
            assertList(doubles(want.path("grad_first8")), first8, GRAD, what + " grad_first8");
            assertScalar(want.path("grad_l2").asDouble(), Math.sqrt(l2), GRAD, what + " grad_l2");
        }
    }

    /** Opens the kind's job and steps it to the end, as RunService's loop does; returns its result. */
    private static <P extends Record> Object run(RunKind<P> kind, LoadedModel model, P p, List<Map<String, Object>> events) {
        RunKind.Progress progress = (type, data) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = new java.util.LinkedHashMap<>((Map<String, Object>) data);
            if (!type.equals("step")) {
                e.put("type", type);
            }
            events.add(e);
        };
        RunKind.Job job = kind.open(model, p, progress);
        try {
            while (!job.finished()) {
                job.step(progress);
            }
            return job.result();
        } finally {
            job.close();
        }
    }

    /** pixel_values from the safetensors file a result's tensor URL names. */
    private float[] pixelValues(String url) {
        assertTrue(url.matches("/api/files/[0-9a-f]{32}\\.safetensors"), url);
        byte[] file = new RunFiles(files).read(url.substring("/api/files/".length())).orElseThrow();
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) buf.getLong(0);
        try {
            JsonNode header = new ObjectMapper().readTree(new String(file, 8, n, StandardCharsets.UTF_8));
            assertEquals("[1,3,32,32]", header.path("pixel_values").path("shape").toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        float[] x = new float[3 * 32 * 32];
        buf.position(8 + n);
        buf.asFloatBuffer().get(x);
        return x;
    }

    private static float[] flipped(float[] x, int side) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int row = i / side;
            int col = i % side;
            out[row * side + (side - 1 - col)] = x[i];
        }
        return out;
    }

    /** x0[ch][i][j] = (float)((a*i + b*j + c*ch) mod m − (m−1)/2) / div, the fixture's formula. */
    private static float[] formula(JsonNode s) {
        int a = s.path("a").asInt(), b = s.path("b").asInt(), c = s.path("c").asInt(), m = s.path("m").asInt();
        float div = (float) s.path("div").asDouble();
        float[] x = new float[3 * 32 * 32];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 32; i++) {
                for (int j = 0; j < 32; j++) {
                    x[(ch * 32 + i) * 32 + j] = (float) ((a * i + b * j + c * ch) % m - (m - 1) / 2.0) / div;
                }
            }
        }
        return x;
    }

    private static double[] doubles(JsonNode list) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).asDouble();
        }
        return out;
    }

    private static void assertList(double[] want, double[] got, double rtol, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], rtol * scale, what + "[" + i + "]");
        }
    }

    private static void assertScalar(double want, double got, double rtol, String what) {
        assertEquals(want, got, rtol * (Math.abs(want) + 1e-6), what);
    }
}
