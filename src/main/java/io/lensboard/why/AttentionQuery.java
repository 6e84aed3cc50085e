package io.lensboard.why;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.Dtype;

/**
 * One request for attention patterns: a model, the dtype its weights are held in (null: the model's default) and a
 * prompt, its line endings made {@code \n}. Checked when built from a request's text; whether the model exists and the
 * prompt fits is {@link AttentionService}'s question.
 */
public record AttentionQuery(String model, Dtype dtype, String prompt) {

    public static AttentionQuery parse(String model, String dtype, String text) {
        if (model == null || model.isBlank()) {
            throw new InvalidInputException("model is missing: pass model=<id> (GET /api/models lists them)");
        }
        String prompt = Prompts.lineEndings(text);
        if (prompt == null || prompt.isEmpty()) {
            throw new InvalidInputException("prompt is empty: pass prompt=<text>");
        }
        return new AttentionQuery(model.trim(), dtype == null || dtype.isBlank() ? null : Dtype.parse(dtype), prompt);
    }
}
