package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tuned lens directory in the tuned-lens package's format: {@code config.json} ({@code d_model},
 * {@code num_hidden_layers}, {@code bias}, {@code base_model_name_or_path}, optional {@code unembed_hash} and
 * {@code lens_type}) and the translators' state dict {@code {l}.weight}, {@code {l}.bias} in {@code params.pt}
 * (torch.save) or {@code params.safetensors}.
 */
public final class TunedLensFiles {
    public static final String PARAMS_PT = "params.pt";
    public static final String PARAMS_SAFETENSORS = "params.safetensors";
    private static final long MAX_CONFIG = 1 << 20;
    private static final int MAX_D = 1 << 16;
    private static final int MAX_LAYERS = 1024;

    /** What config.json says; read without the translators, for listing. */
    public record Config(int dModel, int layers, boolean bias, String baseModel, String lensType, String unembedHash) {}

    private TunedLensFiles() {}

    /** Whether {@code dir} looks like a lens: a config.json and translators. */
    public static boolean isLensDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"))
                && (Files.isRegularFile(dir.resolve(PARAMS_PT)) || Files.isRegularFile(dir.resolve(PARAMS_SAFETENSORS)));
    }

    public static Config config(Path dir) {
        Path file = dir.resolve("config.json");
        try {
            if (Files.size(file) > MAX_CONFIG) {
                throw new CheckpointException(file + ": " + Files.size(file) + " bytes; a lens's config.json is a few hundred");
            }
            JsonNode json = new ObjectMapper().readTree(file.toFile());
            int d = positive(json, "d_model", MAX_D, file);
            int layers = positive(json, "num_hidden_layers", MAX_LAYERS, file);
            String type = json.path("lens_type").asText("linear_tuned_lens");
            if (!type.equals("linear_tuned_lens")) {
                throw new CheckpointException(file + ": lens_type '" + type + "'; lensboard reads linear_tuned_lens (affine translators)");
            }
            return new Config(d, layers, json.path("bias").asBoolean(true), text(json, "base_model_name_or_path"), type,
                    text(json, "unembed_hash"));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read it as JSON (" + e.getMessage() + ")", e);
        }
    }

    /** The lens in {@code dir}, its translators checked against its config (every one present, each its shape, nothing else). */
    public static TunedLensWeights read(Path dir, String id) {
        Config c = config(dir);
        requireHeapFor(c, dir);
        Path pt = dir.resolve(PARAMS_PT);
        Weights source = Files.isRegularFile(pt) ? stateDict(pt, c) : SafetensorsWeights.file(dir.resolve(PARAMS_SAFETENSORS));
        List<float[]> weights = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            weights.add(source.get(l + ".weight", Weights.Init.ZEROS, c.dModel(), c.dModel()));
            biases.add(c.bias() ? source.get(l + ".bias", Weights.Init.ZEROS, c.dModel()) : null);
        }
        return new TunedLensWeights(id, c.dModel(), c.layers(), c.baseModel(), c.lensType(), List.copyOf(weights),
                java.util.Collections.unmodifiableList(biases));
    }

    /**
     * Saves {@code lens} in {@code dir} in the published format, readable by {@link #read} and by the tuned-lens package:
     * params.pt first, config.json last, so that a directory is listed as a lens only once it is whole.
     */
    public static void write(Path dir, TunedLensWeights lens) throws IOException {
        Files.createDirectories(dir);
        Map<String, TorchSave.Tensor> tensors = new java.util.LinkedHashMap<>();
        boolean bias = !lens.biases().isEmpty() && lens.biases().get(0) != null;
        for (int l = 0; l < lens.layers(); l++) {
            tensors.put(l + ".weight", new TorchSave.Tensor(new long[] {lens.dModel(), lens.dModel()}, lens.weights().get(l)));
            if (bias) {
                tensors.put(l + ".bias", new TorchSave.Tensor(new long[] {lens.dModel()}, lens.biases().get(l)));
            }
        }
        TorchSaveWriter.write(dir.resolve(PARAMS_PT), tensors);
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("base_model_name_or_path", lens.baseModel());
        config.put("d_model", lens.dModel());
        config.put("num_hidden_layers", lens.layers());
        config.put("bias", bias);
        config.put("lens_type", "linear_tuned_lens");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
    }

    /** The float32 elements of the config's translators: what params.pt may hold at most. */
    static long elements(Config c) {
        return (long) c.layers() * ((long) c.dModel() * c.dModel() + (c.bias() ? c.dModel() : 0));
    }

    /** The translators are held as float32 arrays on the heap: a lens larger than the heap can give is refused unread. */
    private static void requireHeapFor(Config c, Path dir) {
        Runtime r = Runtime.getRuntime();
        long free = r.maxMemory() - (r.totalMemory() - r.freeMemory());
        long bytes = 4 * elements(c);
        if (bytes > free) {
            throw new CheckpointException(dir.getFileName() + ": its config.json (d_model " + c.dModel() + ", " + c.layers()
                    + " layers) makes translators of " + bytes + " bytes in float32; this server's heap has " + free + " bytes free");
        }
    }

    /** params.pt's tensors as {@link Weights}, after checking that it holds exactly the config's translators. */
    private static Weights stateDict(Path file, Config c) {
        Map<String, TorchSave.Tensor> tensors = TorchSave.read(file, elements(c));
        Set<String> expected = new HashSet<>();
        for (int l = 0; l < c.layers(); l++) {
            expected.add(l + ".weight");
            if (c.bias()) {
                expected.add(l + ".bias");
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.contains(name)) {
                throw new CheckpointException(file + ": tensor '" + name + "' is not a translator of a lens with "
                        + c.layers() + " layers" + (c.bias() ? "" : " and no bias") + " (expected 0.weight … " + (c.layers() - 1) + ".weight)");
            }
        }
        return new Weights() {
            @Override
            public float[] get(String name, Init init, long... shape) {
                TorchSave.Tensor t = tensors.get(name);
                if (t == null) {
                    throw new CheckpointException(file + ": missing tensor '" + name + "'");
                }
                if (!java.util.Arrays.equals(t.shape(), shape)) {
                    throw new CheckpointException(file + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(t.shape())
                            + ", config.json implies " + java.util.Arrays.toString(shape));
                }
                return t.data();
            }

            @Override
            public String describe() {
                return file.toString();
            }
        };
    }

    private static int positive(JsonNode json, String field, int max, Path file) {
        JsonNode v = json.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > max) {
            throw new CheckpointException(file + ": '" + field + "' must be a whole number from 1 to " + max + ", got " + v);
        }
        return v.asInt();
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
