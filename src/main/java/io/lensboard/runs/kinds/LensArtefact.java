package io.lensboard.runs.kinds;

import io.lensboard.analysis.TunedLens;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.TunedLensWeights;
import io.lensboard.model.checkpoint.TunedLensFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A trained tuned lens saved as the published format's directory ({@link TunedLensFiles#write}): {@code config.json}
 * (d_model, num_hidden_layers, bias, base_model_name_or_path, lens_type) and {@code params.pt}, PyTorch's zip-format
 * state dict of the translators ({@code {l}.weight} [d, d] in nn.Linear's layout, {@code {l}.bias} [d]).
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
            TunedLensFiles.write(tmp, new TunedLensWeights(id, config.dModel(), config.nLayers(), model, "linear_tuned_lens",
                    Arrays.asList(t.weights()), Arrays.asList(t.biases())));
            Files.move(tmp, lenses.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the tuned lens: " + e.getMessage(), e);
        }
    }
}
