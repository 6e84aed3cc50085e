package io.lensboard.lens;

import io.lensboard.analysis.Ablation;
import io.lensboard.analysis.InvalidInputException;
import io.lensboard.analysis.LensResult;
import io.lensboard.analysis.LogitLens;
import io.lensboard.analysis.Prompts;
import io.lensboard.model.Dtype;
import io.lensboard.model.pool.ModelRef;

/**
 * One lens to compute: a model and the dtype its weights are held in (null: the model's default), a prompt, how
 * many top tokens per cell, whether the sub-block rows are wanted, the decoder ({@code logit}, or
 * {@code tuned:<lens id>}) and the components ablated from the pass it decodes. Validated when built from a request's
 * text; it is also the cache's and the single flight's key, so an ablated lens is never served for a plain one.
 */
public record LensQuery(String model, Dtype dtype, String prompt, int topk, boolean sub, String decoder, Ablation ablation) {
    private static final int MAX_DECODER = 300;

    /** Without ablation. */
    public LensQuery(String model, Dtype dtype, String prompt, int topk, boolean sub, String decoder) {
        this(model, dtype, prompt, topk, sub, decoder, Ablation.NONE);
    }

    /** As {@link #parse(String, String, String, String, String, String, String, String)} without ablation. */
    public static LensQuery parse(String model, String dtype, String text, String topk, String sub, String decoder) {
        return parse(model, dtype, text, topk, sub, decoder, null, null);
    }

    /**
     * Checks a request's parameters (prompt, then topk, then sub, then dtype, then decoder, then the ablation: {@code ablate}
     * and {@code ablation}, {@link Ablation#parse}) with the messages the API
     * answers, line endings in the prompt made {@code \n} ({@link Prompts#lineEndings});
     * whether the model and the lens exist is {@link LensService#check}'s question.
     */
    public static LensQuery parse(String model, String dtype, String text, String topk, String sub, String decoder,
                                  String ablate, String ablation) {
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
        String d = decoder == null || decoder.isBlank() ? LensResult.LOGIT : decoder.trim();
        if (d.length() > MAX_DECODER || !(d.equals(LensResult.LOGIT) || d.startsWith(LensResult.TUNED) && d.length() > LensResult.TUNED.length())) {
            throw new InvalidInputException("decoder must be logit or tuned:<lens id> (GET /api/lenses lists the lenses), got '"
                    + (d.length() > 60 ? d.substring(0, 60) + "…" : d) + "'");
        }
        if (subBlocks && !d.equals(LensResult.LOGIT)) {
            throw new InvalidInputException("a tuned lens has translators for the layers only, not for sub-block rows"
                    + " (hook_resid_mid): use sub=0 with " + d + ", or decoder=logit");
        }
        return new LensQuery(ModelRef.canonical(model), held, prompt, k, subBlocks, d, Ablation.parse(ablate, ablation));
    }

    /** The tuned lens's id, or null for the logit lens. */
    public String lensId() {
        return decoder.startsWith(LensResult.TUNED) ? decoder.substring(LensResult.TUNED.length()) : null;
    }

    public LogitLens.Request request() {
        return new LogitLens.Request(prompt, topk, sub, ablation);
    }
}
