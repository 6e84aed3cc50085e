package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.model.Dtype;
import io.lensboard.model.ModelConfig;
import io.lensboard.model.pool.ModelFacts;
import io.lensboard.model.pool.ModelPool;
import io.lensboard.model.pool.ModelRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a run is asked to be, checked before anything is stored (400 naming what to change, 404 for an unknown
 * model): its kind's parameters read, completed and checked against the model where the model is known before
 * loading ({@link ModelFacts}), and the dtype the model is held in. Makes the queued records.
 */
@ApplicationScoped
public class Submission {
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";

    private final SecureRandom random = new SecureRandom();

    @Inject
    RunKinds kinds;

    @Inject
    ModelPool pool;

    @Inject
    ModelFacts facts;

    @Inject
    ObjectMapper json;

    /** Every run of the batch checked (the message of a batch's saying which run is wrong), as new queued records. */
    public List<RunRecord> check(List<NewRun> batch) {
        Instant now = Instant.now();
        return batch.stream().map(r -> batch.size() == 1 ? check(r) : checkInBatch(r))
                .map(c -> new RunRecord(newId(), c.kind().name(), c.ref().id(), c.params(), RunState.QUEUED, null, null, now, null, null))
                .toList();
    }

    private record Checked(RunKind<?> kind, ModelRef ref, JsonNode params) {}

    private Checked checkInBatch(NewRun r) {
        try {
            return check(r);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(r.kind() + " on " + r.model() + " with " + r.params() + ": " + e.getMessage());
        }
    }

    /**
     * The kind's parameters checked and completed, with the dtype the model is held in stored beside them
     * ({@link RunRecord#DTYPE}): given, carried by parameters copied from another run, or the model's default.
     */
    private Checked check(NewRun r) {
        RunKind<?> kind = kinds.get(r.kind());
        ModelRef ref = pool.catalog().check(r.model());
        facts.checkHybrid(ref);
        JsonNode given = r.params();
        String carried = given != null && given.isObject() && given.has(RunRecord.DTYPE) ? given.get(RunRecord.DTYPE).asText() : null;
        if (carried != null) {
            given = given.deepCopy();
            ((ObjectNode) given).remove(RunRecord.DTYPE);
        }
        String requested = r.dtype() != null ? r.dtype() : carried;
        Dtype dtype = pool.key(ref.id(), requested == null || requested.isBlank() ? null : Dtype.parse(requested)).dtype();
        Optional<ModelConfig> config = facts.config(ref);
        checkInput(kind, ref);
        ObjectNode params = (ObjectNode) normalise(kind, given, ref, config);
        params.put(RunRecord.DTYPE, dtype.id);
        return new Checked(kind, ref, params);
    }

    /** A text kind on an image model, or an image kind on a text model, is a 400 where the model's input is known. */
    private void checkInput(RunKind<?> kind, ModelRef ref) {
        Optional<Boolean> images = facts.takesImages(ref);
        if (images.isPresent() && images.get() != kind.takesImages()) {
            throw new InvalidInputException("kind '" + kind.name() + "' takes " + (kind.takesImages() ? "images" : "text")
                    + " but model '" + ref.id() + "' reads " + (images.get() ? "images (a ViT or a hybrid)" : "text")
                    + ": choose a " + (kind.takesImages() ? "ViT or a hybrid STEM+STACK" : "language model") + " for it");
        }
    }

    /**
     * The kind's parameters completed; its checks that need the tokenizer run where one is at hand without loading
     * weights (an image model has none to check with). A hub model not yet downloaded is checked when its run starts.
     */
    private <P extends Record> JsonNode normalise(RunKind<P> kind, JsonNode params, ModelRef ref, Optional<ModelConfig> config) {
        P p = kind.complete(kind.schema().read(params), config);
        if (!kind.takesImages()) {
            config.ifPresent(c -> facts.withTokenizer(ref, tokenizer -> kind.checkTokens(p, tokenizer, c)));
        }
        return kind.schema().write(json, p);
    }

    /** A new run id: ten letters and digits, none easily confused. */
    String newId() {
        StringBuilder id = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
