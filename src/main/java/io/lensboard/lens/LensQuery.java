package io.lensboard.lens;

import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LogitLens;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.Dtype;

/**
 * One logit lens to compute: a model and the dtype its weights are held in (null: the model's default), a
 * prompt, how many top tokens per cell, and whether the sub-block rows are wanted. Validated when built from a
 * request's text; it is also the cache's key.
 */
public record LensQuery(String model, Dtype dtype, String prompt, int topk, boolean sub) {

    /** A lens of {@code model} in its default dtype. */
    public LensQuery(String model, String prompt, int topk, boolean sub) {
        this(model, null, prompt, topk, sub);
    }

    /** As {@link #parse(String, String, String, String, String)} in the model's default dtype. */
    public static LensQuery parse(String model, String text, String topk, String sub) {
        return parse(model, null, text, topk, sub);
    }

    /**
     * Checks a request's parameters (prompt, then topk, then sub, then dtype) with the messages the API answers, line endings in the
     * prompt made {@code \n} ({@link Prompts#lineEndings});
     * whether the model exists is {@link LensService#check}'s question.
     */
    public static LensQuery parse(String model, String dtype, String text, String topk, String sub) {
        String prompt = Prompts.lineEndings(text);
        if (prompt == null || prompt.isEmpty()) {
            throw new InvalidInputException("prompt is empty: pass prompt=<text>");
        }
        int k;
        try {
            k = Integer.parseInt(topk == null ? "" : topk.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("topk must be a whole number between 1 and " + LogitLens.MAX_TOPK + ", got '" + topk + "'");
        }
        if (k < 1 || k > LogitLens.MAX_TOPK) {
            throw new InvalidInputException("topk must be between 1 and " + LogitLens.MAX_TOPK + ", got " + k);
        }
        boolean subBlocks = switch (sub == null ? "" : sub.trim()) {
            case "1", "true", "on" -> true;
            case "0", "false", "off", "" -> false;
            default -> throw new InvalidInputException("sub must be 1 or 0, got '" + sub + "'");
        };
        Dtype held = dtype == null || dtype.isBlank() ? null : Dtype.parse(dtype);
        return new LensQuery(model, held, prompt, k, subBlocks);
    }

    public LogitLens.Request request() {
        return new LogitLens.Request(prompt, topk, sub);
    }
}
