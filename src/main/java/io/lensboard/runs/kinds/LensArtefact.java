package io.lensboard.runs.kinds;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.TunedLens;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A trained tuned lens saved as the published format's directory: {@code config.json} (d_model, num_hidden_layers,
 * bias, base_model_name_or_path, lens_type) and the translators as {@code params.safetensors} ({@code {l}.weight}
 * [d, d] in PyTorch's Linear layout, {@code {l}.bias} [d]), which the lens registry reads like a {@code params.pt}.
 */
final class LensArtefact {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private LensArtefact() {}

    /** Saves under {@code lenses/<id>/}, written in a hidden directory then renamed, so a lens is never seen half-written. */
    static String save(Path lenses, String model, ModelConfig config, TunedLens.Translators t) {
        String base = model.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[._-]+", "") + "-tuned-"
                + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        try {
            Files.createDirectories(lenses);
            String id = base;
            for (int i = 2; Files.exists(lenses.resolve(id)); i++) {
                id = base + "-" + i;
            }
            Path tmp = Files.createTempDirectory(lenses, ".saving-");
            ObjectNode json = new ObjectMapper().createObjectNode().put("d_model", config.dModel())
                    .put("num_hidden_layers", config.nLayers()).put("bias", true).put("base_model_name_or_path", model)
                    .put("lens_type", "linear_tuned_lens");
            Files.writeString(tmp.resolve("config.json"), json.toPrettyString());
            SafetensorsWriter params = new SafetensorsWriter();
            long d = config.dModel();
            for (int l = 0; l < t.weights().length; l++) {
                params.add(l + ".weight", new long[] {d, d}, t.weights()[l]).add(l + ".bias", new long[] {d}, t.biases()[l]);
            }
            params.write(tmp.resolve("params.safetensors"));
            Files.move(tmp, lenses.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the tuned lens: " + e.getMessage(), e);
        }
    }
}
