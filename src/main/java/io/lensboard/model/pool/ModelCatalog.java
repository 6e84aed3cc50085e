package io.lensboard.model.pool;

import io.lensboard.model.Dtype;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.checkpoint.Checkpoint;
import io.lensboard.model.checkpoint.HubClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Optional;

/**
 * The models lensboard can open: in each configured models directory, every immediate subdirectory
 * (symlinks followed) holding a Hugging Face config.json or a llama2.c .bin with its tok*.bin, named after
 * the subdirectory, and every .gguf file, named after the file without the extension (the first of two
 * equal names wins); hub ids; and the untrained twin of each.
 */
public final class ModelCatalog {

    /** A local model (a directory, or a .gguf file); {@code weights} tells whether it holds a checkpoint or only a config. */
    public record LocalModel(String id, Path path, boolean weights) {}

    private record CachedConfig(long modified, ModelConfig config) {}

    private final Map<Path, CachedConfig> configs = new ConcurrentHashMap<>();

    /**
     * What a new user is offered when nothing is configured: GPT-2's four sizes, a 1.2 MB trained TinyStories
     * Llama and ViT-Base/16 (the images' model), all from the hub on first use (with their untrained twins).
     */
    public static final List<String> DEFAULT_HUB = List.of("hf:ggml-org/models/tinyllamas/stories260K.gguf",
            "hf:openai-community/gpt2", "hf:openai-community/gpt2-medium", "hf:openai-community/gpt2-large",
            "hf:openai-community/gpt2-xl", "hf:google/vit-base-patch16-224");

    private final List<Path> dirs;
    private final HubClient hub;
    private final List<String> suggested;
    private final Map<String, Dtype> dtypes;

    public ModelCatalog(List<Path> dirs, HubClient hub) {
        this(dirs, hub, List.of());
    }

    /** {@code suggested}: hub ids listed beside the local models before anything is downloaded. */
    public ModelCatalog(List<Path> dirs, HubClient hub, List<String> suggested) {
        this(dirs, hub, suggested, Map.of());
    }

    private ModelCatalog(List<Path> dirs, HubClient hub, List<String> suggested, Map<String, Dtype> dtypes) {
        this.dirs = List.copyOf(dirs);
        this.hub = hub;
        this.suggested = List.copyOf(suggested);
        this.dtypes = Map.copyOf(dtypes);
    }

    /**
     * This catalog with default dtypes for some entries, by id without {@code :untrained} (the twin takes its
     * model's); every other model loads in float32 unless a request names a dtype.
     */
    public ModelCatalog withDtypes(Map<String, Dtype> defaults) {
        return new ModelCatalog(dirs, hub, suggested, defaults);
    }

    /** The dtype {@code ref} loads in when a request names none. */
    public Dtype defaultDtype(ModelRef ref) {
        return dtypes.getOrDefault(ref.base(), Dtype.FLOAT32);
    }

    public List<String> suggested() {
        return suggested;
    }

    public List<LocalModel> local() {
        Map<String, LocalModel> models = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            for (Path c : Checkpoint.list(dir)) {
                String name = c.getFileName().toString();
                if (Files.isRegularFile(c) && name.endsWith(".gguf")) {
                    String id = name.substring(0, name.length() - ".gguf".length());
                    models.putIfAbsent(id, new LocalModel(id, c, true));
                } else if (Files.isDirectory(c) && Checkpoint.isModelDirectory(c)) {
                    boolean hf = Files.isRegularFile(c.resolve("config.json"));
                    boolean weights = !hf || Files.exists(c.resolve("model.safetensors")) || Files.exists(c.resolve("model.safetensors.index.json"));
                    models.putIfAbsent(name, new LocalModel(name, c, weights));
                }
            }
        }
        return new ArrayList<>(models.values());
    }

    /** The model's dimensions, read once per version of its file; an unusable checkpoint throws CheckpointException. */
    public ModelConfig config(LocalModel model) {
        Path key = model.path();
        long modified;
        try {
            Path config = key.resolve("config.json");
            modified = Files.getLastModifiedTime(Files.isRegularFile(config) ? config : key).toMillis();
        } catch (IOException e) {
            modified = -1;
        }
        CachedConfig cached = configs.get(key);
        if (cached == null || cached.modified() != modified) {
            cached = new CachedConfig(modified, Checkpoint.at(key).config());
            configs.put(key, cached);
        }
        return cached.config();
    }

    /** Opens a local model's tokenizer, without its weights; the caller closes it. */
    public LensTokenizer tokenizer(LocalModel model) {
        return Checkpoint.at(model.path()).tokenizer();
    }

    public Optional<LocalModel> findLocal(String name) {
        return local().stream().filter(m -> m.id().equals(name)).findFirst();
    }

    /**
     * The id as {@link ModelRef#canonical(String, java.util.function.Predicate)} reads it knowing the local models, so a
     * hand-typed {@code hf:google/vit-base-patch16-224 gpt2-tiny} is that hybrid, as {@code vit-tiny gpt2-tiny} is.
     */
    public String canonical(String id) {
        return ModelRef.canonical(id, name -> findLocal(name).isPresent());
    }

    /**
     * Fails fast with a 404-style error for a local id that does not exist; hub ids are checked on download. The
     * returned ref's id is the canonical one ({@link #canonical}).
     */
    public ModelRef check(String id) {
        ModelRef ref = ModelRef.parse(canonical(id));
        if (ref.isHybrid()) {
            check(ref.stem().id());
            check(ref.stack().id());
            return ref;
        }
        if (!ref.isHub() && findLocal(ref.base()).isEmpty()) {
            throw unknown(id);
        }
        return ref;
    }

    private UnknownModelException unknown(String id) {
        return new UnknownModelException("unknown model '" + id + "'; known: "
                + local().stream().map(LocalModel::id).toList()
                + " (each may take ':untrained'), or hf:<owner>/<repo> or hf:<owner>/<repo>/<file.gguf>");
    }

    /**
     * Where the model's checkpoint is (its directory, or its GGUF file), downloading what it needs if it comes
     * from the hub: config, tokenizer and, unless untrained, weights; a GGUF file whole, since it holds all three.
     */
    public Path locate(ModelRef ref, HubClient.Progress progress) throws IOException {
        if (ref.isHub()) {
            try {
                if (ref.hubFile() != null) {
                    return hub.file(ref.hubRepo(), ref.hubRevision(), ref.hubFile(), progress);
                }
                return hub.snapshot(ref.hubRepo(), ref.hubRevision(), !ref.untrained(), progress);
            } catch (HubClient.MissingFileException e) {
                throw new UnknownModelException("the hub has no model '" + ref.base() + "': " + e.getMessage());
            }
        }
        return findLocal(ref.base()).map(LocalModel::path).orElseThrow(() -> unknown(ref.id()));
    }
}
