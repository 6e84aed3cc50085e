package io.lensboard.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models lensboard can open: every immediate subdirectory (symlinks followed) of a configured
 * models directory that holds a config.json, named after the subdirectory; hub ids; and the untrained
 * twin of each.
 */
public final class ModelCatalog {

    /** A local model directory; {@code weights} tells whether it holds a checkpoint or only a config. */
    public record LocalModel(String id, Path dir, boolean weights) {}

    private final List<Path> dirs;
    private final HubClient hub;

    public ModelCatalog(List<Path> dirs, HubClient hub) {
        this.dirs = List.copyOf(dirs);
        this.hub = hub;
    }

    public List<LocalModel> local() {
        List<LocalModel> models = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> children = Files.list(dir)) {
                children.filter(c -> Files.isRegularFile(c.resolve("config.json")))
                        .sorted(Comparator.comparing(c -> c.getFileName().toString()))
                        .forEach(c -> models.add(new LocalModel(c.getFileName().toString(), c,
                                Files.exists(c.resolve("model.safetensors"))
                                        || Files.exists(c.resolve("model.safetensors.index.json")))));
            } catch (IOException e) {
                // An unreadable models directory hides its models; the others still list.
            }
        }
        return models;
    }

    public Optional<LocalModel> findLocal(String name) {
        return local().stream().filter(m -> m.id().equals(name)).findFirst();
    }

    /** Fails fast with a 404-style error for a local id that does not exist; hub ids are checked on download. */
    public ModelRef check(String id) {
        ModelRef ref = ModelRef.parse(id);
        if (!ref.isHub() && findLocal(ref.base()).isEmpty()) {
            throw unknown(id);
        }
        return ref;
    }

    private UnknownModelException unknown(String id) {
        return new UnknownModelException("unknown model '" + id + "'; known: "
                + local().stream().map(LocalModel::id).toList()
                + " (each may take ':untrained'), or hf:<owner>/<repo>");
    }

    /** The directory holding the model's config, tokenizer and (unless untrained) weights, downloading if needed. */
    public Path directory(ModelRef ref, HubClient.Progress progress) throws IOException {
        if (ref.isHub()) {
            try {
                return hub.snapshot(ref.hubRepo(), ref.hubRevision(), !ref.untrained(), progress);
            } catch (HubClient.MissingFileException e) {
                throw new UnknownModelException("the hub has no model '" + ref.base() + "': " + e.getMessage());
            }
        }
        return findLocal(ref.base()).map(LocalModel::dir).orElseThrow(() -> unknown(ref.id()));
    }
}
