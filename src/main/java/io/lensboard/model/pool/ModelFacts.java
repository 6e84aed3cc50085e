package io.lensboard.model.pool;

import io.lensboard.Futures;
import io.lensboard.Threads;
import io.lensboard.model.CheckpointException;
import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.LensTokenizer;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What is known of a model without loading it, asked in one place by the lens, the runs and the model list: its
 * config (a loaded model's, else a local checkpoint's; a hub model's once it is loaded), its input (text or
 * images) and its tokenizer. A hub model not yet downloaded is known only when it loads.
 */
@Singleton
public class ModelFacts {
    private final ModelPool pool;

    @Inject
    public ModelFacts(ModelPool pool) {
        this.pool = pool;
    }

    /** The model loaded in any dtype (the config and tokenizer are the same in each). */
    public Optional<LoadedModel> loaded(ModelRef ref) {
        return pool.loaded().stream().filter(m -> m.id().equals(ref.id())).findFirst();
    }

    /**
     * The model's config before loading: a loaded model's, or a local checkpoint's (empty where it is unusable); a
     * hybrid's from its two parts, as {@link io.lensboard.model.Hybrid} makes it, so that its runs are checked against
     * its blocks when submitted whether or not it is loaded (a run refused only once loaded would start and fail).
     */
    public Optional<ModelConfig> config(ModelRef ref) {
        Optional<LoadedModel> loaded = loaded(ref);
        if (loaded.isPresent()) {
            return Optional.of(loaded.get().config());
        }
        if (ref.isHybrid()) {
            Optional<ModelConfig> stack = config(ref.stack());
            return config(ref.stem()).filter(ModelConfig::takesImages)
                    .flatMap(stem -> stack.map(blocks -> blocks.withInput(stem.nCtx(), stem.vision())));
        }
        return ref.isHub() ? Optional.empty() : pool.catalog().findLocal(ref.base()).flatMap(this::config);
    }

    /** A local checkpoint's config; empty where it is unusable (loading it reports the problem). */
    public Optional<ModelConfig> config(ModelCatalog.LocalModel local) {
        try {
            return Optional.of(pool.catalog().config(local));
        } catch (CheckpointException unusable) {
            return Optional.empty();
        }
    }

    /** Whether the model reads images (a ViT, or any hybrid STEM+STACK) rather than text, where that is known. */
    public Optional<Boolean> takesImages(ModelRef ref) {
        return ref.isHybrid() ? Optional.of(true) : config(ref).map(ModelConfig::takesImages);
    }

    /**
     * Refuses (400) a hybrid STEM+STACK that loading would refuse, where both parts' configs are known without loading
     * (local or loaded): a stem that is no ViT (two text models, say), or parts of different widths. So such a run is
     * refused when it is submitted, not when it starts; a hub part not yet downloaded is checked at load.
     */
    public void checkHybrid(ModelRef ref) {
        if (!ref.isHybrid()) {
            return;
        }
        Optional<ModelConfig> stem = config(ref.stem());
        if (stem.isPresent() && stem.get().architecture() != ModelConfig.Architecture.VIT) {
            throw new InvalidModelIdException("the stem '" + ref.stem().id() + "' of the hybrid '" + ref.id() + "' is a "
                    + stem.get().architecture().modelType + " model; a hybrid STEM+STACK needs a ViT as its stem, e.g. vit-tiny+"
                    + ref.stack().id());
        }
        Optional<ModelConfig> stack = config(ref.stack());
        if (stem.isPresent() && stack.isPresent() && stem.get().dModel() != stack.get().dModel()) {
            throw new InvalidModelIdException("the stem '" + ref.stem().id() + "' is " + stem.get().dModel() + " wide but the stack '"
                    + ref.stack().id() + "' is " + stack.get().dModel() + " wide; a hybrid needs the same d_model");
        }
    }

    /**
     * Gives {@code use} the model's tokenizer where one is at hand without loading weights: a loaded model's (on its
     * device thread, which owns it) or a local checkpoint's, opened for the call and closed after it; nothing
     * where none is (a hub model not yet loaded: checked when it loads). Blocking: worker threads only; {@code use}'s failure is rethrown as it is.
     */
    public void withTokenizer(ModelRef ref, Consumer<LensTokenizer> use) {
        Optional<LoadedModel> loaded = loaded(ref);
        if (loaded.isPresent()) {
            Threads.blocking("waiting for the device");
            // the loaded entry's dtype: the default's may not be loaded, and the tokenizer is the same
            Futures.join(pool.run(ref.id(), loaded.get().dtype(), m -> {
                use.accept(m.tokenizer());
                return null;
            }));
            return;
        }
        Optional<ModelCatalog.LocalModel> local = ref.isHub() ? Optional.empty() : pool.catalog().findLocal(ref.base());
        local.ifPresent(l -> {
            try (LensTokenizer tokenizer = pool.catalog().tokenizer(l)) {
                use.accept(tokenizer);
            }
        });
    }
}
