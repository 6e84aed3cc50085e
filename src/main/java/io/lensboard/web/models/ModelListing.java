package io.lensboard.web.models;

import io.lensboard.model.Dtype;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.pool.ModelCatalog;
import io.lensboard.model.pool.ModelFacts;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import io.lensboard.model.pool.ModelServices;
import io.lensboard.web.common.ErrorMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The catalog as users see it: local models and their untrained twins, then whatever else is in the pool. */
@ApplicationScoped
public class ModelListing {

    @Inject
    ModelPool pool;

    @Inject
    ModelFacts facts;

    public List<ModelInfo> list() {
        Map<String, ModelConfig> configs = new LinkedHashMap<>();
        for (ModelCatalog.LocalModel local : pool.catalog().local()) {
            ModelConfig config = facts.config(local).orElse(null); // listed without dimensions if unusable; loading it says why
            if (local.weights()) {
                configs.put(local.id(), config);
            }
            configs.put(ModelRef.twin(local.id()), config);
        }
        for (String hub : pool.catalog().suggested()) {
            configs.putIfAbsent(hub, null);
            configs.putIfAbsent(ModelRef.twin(hub), null);
        }
        for (LoadedModel m : pool.loaded()) {
            configs.put(m.id(), m.config());
        }
        List<ModelPool.Key> warm = pool.keys();
        for (ModelPool.Key k : warm) {
            configs.putIfAbsent(k.id(), null);
        }
        List<ModelInfo> out = new ArrayList<>();
        configs.forEach((id, config) -> {
            // the model in its default dtype, then each warm entry of it in another dtype
            Dtype standard = pool.key(id, null).dtype();
            out.add(info(id, standard, config));
            warm.stream().filter(k -> k.id().equals(id) && k.dtype() != standard).map(ModelPool.Key::dtype).sorted()
                    .forEach(d -> out.add(info(id, d, config)));
        });
        return out;
    }

    /** The models that read text, for the lens, compare and every text kind's list: no ViT, no hybrid. */
    public List<ModelInfo> textModels() {
        return list().stream().filter(m -> !m.takesImages()).toList();
    }

    /** Each model once (its default dtype first) for forms naming models by id: one warm in two dtypes is one option. */
    public List<ModelInfo> choices(List<ModelInfo> models) {
        Set<String> seen = new HashSet<>();
        return models.stream().filter(m -> seen.add(m.id())).toList();
    }

    /**
     * Models an image can go through, for the image pages and the image kinds' lists: every ViT in the catalog, and
     * the hybrids of a trained local ViT with each trained text model of the same width (the hub's ViT-Base/16 with
     * GPT-2 small, both 768 wide).
     */
    public List<String> imageModels() {
        List<ModelInfo> all = list();
        Set<String> out = new LinkedHashSet<>();
        for (ModelInfo vit : all.stream().filter(ModelInfo::takesImages).toList()) {
            out.add(vit.id());
            all.stream().filter(stack -> sameWidthStack(vit, stack)).forEach(stack -> out.add(vit.id() + "+" + stack.id()));
        }
        if (out.contains("hf:google/vit-base-patch16-224")) {
            out.add("hf:google/vit-base-patch16-224+hf:openai-community/gpt2");
        }
        return List.copyOf(out);
    }

    /** Whether {@code stack} makes a listed hybrid with {@code vit}: both trained, local, of one width. */
    private static boolean sameWidthStack(ModelInfo vit, ModelInfo stack) {
        return !vit.id().contains("+") && !ModelRef.namesUntrained(vit.id()) && !stack.takesImages()
                && !ModelRef.namesUntrained(stack.id()) && stack.dModel() != null && stack.dModel().equals(vit.dModel());
    }

    /** Whether {@code id} reads images (a ViT or a hybrid), where that is known before loading; false for what is no id. */
    public boolean takesImages(String id) {
        try {
            ModelRef ref = ModelRef.parse(id);
            return facts.takesImages(ref).orElse(ref.base().startsWith("hf:google/vit"));
        } catch (RuntimeException e) {
            return false; // not a model id: the lens says what is wrong with it
        }
    }

    /**
     * Whether {@code id} can load here: a hub id may be downloaded, an untrained twin needs only a config, a trained
     * local model needs its weights (gpt2-small-config has none, so only its :untrained twin loads); a hybrid, both parts.
     */
    public boolean loads(String id) {
        try {
            ModelRef ref = ModelRef.parse(id);
            if (ref.isHybrid()) {
                return loads(ref.stem().id()) && loads(ref.stack().id());
            }
            return ref.isHub() || pool.catalog().findLocal(ref.base()).map(m -> ref.untrained() || m.weights()).orElse(false);
        } catch (RuntimeException e) {
            return false; // not a model id at all
        }
    }

    /** {@code id} held in {@code dtype} (null: its default), under its canonical id (a typed space made the hybrid's '+'). */
    public ModelInfo info(String id, Dtype dtype) {
        ModelRef ref = pool.catalog().check(id);
        ModelConfig config = facts.config(ref).orElse(null);
        return info(ref.id(), pool.key(ref.id(), dtype).dtype(), config);
    }

    /** A typed model id as the catalog reads it ({@link io.lensboard.model.pool.ModelCatalog#canonical}); null stays null. */
    public String canonical(String id) {
        return pool.catalog().canonical(id);
    }

    private ModelInfo info(String id, Dtype dtype, ModelConfig c) {
        Optional<ModelPool.Status> status = pool.status(id, dtype);
        String state = status.map(s -> s.state().name().toLowerCase()).orElse("available");
        return new ModelInfo(id, c == null ? null : c.architecture().modelType, c == null ? null : c.nLayers(),
                c == null ? null : c.dModel(), c == null ? null : c.vocabSize(),
                ModelServices.name(pool.device().device()),
                status.map(s -> s.state() == ModelPool.State.LOADED).orElse(false),
                state,
                status.map(ModelPool.Status::progress).orElse(0.0),
                status.map(ModelPool.Status::detail).map(ErrorMessages::withoutPaths).orElse(null), // never where files live
                dtype.id,
                status.map(ModelPool.Status::bytes).orElse(0L));
    }
}
