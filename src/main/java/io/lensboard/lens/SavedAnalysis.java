package io.lensboard.lens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import io.lensboard.analysis.Ablation;
import io.lensboard.analysis.LensResult;
import java.util.List;

/**
 * A lens or compare analysis as a short link stores it: the model (two for a comparison) with its decoder (logit or
 * tuned:{lens}) and its ablation ({@link Ablation#NONE}: the plain pass), the prompt and the view (metric, top-k,
 * sub-block rows). Its id is a hash of these, so the same analysis always gets the same link.
 */
public record SavedAnalysis(String id, Kind kind, List<String> models, List<String> decoders, String prompt, String metric,
                            int topk, boolean sub, Instant createdAt, List<Ablation> ablations) {

    public enum Kind {
        LENS, COMPARE;

        public String key() {
            return name().toLowerCase();
        }
    }

    /** A new analysis through the logit lens, its id derived from its content. */
    public static SavedAnalysis of(Kind kind, List<String> models, String prompt, String metric, int topk, boolean sub) {
        return of(kind, models, java.util.Collections.nCopies(models.size(), LensResult.LOGIT), prompt, metric, topk, sub);
    }

    /** A new analysis, each model with its decoder; its id derived from its content. */
    public static SavedAnalysis of(Kind kind, List<String> models, List<String> decoders, String prompt, String metric, int topk,
                                   boolean sub) {
        return of(kind, models, decoders, java.util.Collections.nCopies(models.size(), Ablation.NONE), prompt, metric, topk, sub);
    }

    /** A new analysis, each model with its decoder and its ablation; its id derived from its content. */
    public static SavedAnalysis of(Kind kind, List<String> models, List<String> decoders, List<Ablation> ablations, String prompt,
                                   String metric, int topk, boolean sub) {
        String content = String.join("\u0000", kind.key(), String.join("\u0000", models), prompt, metric,
                String.valueOf(topk), String.valueOf(sub));
        if (decoders.stream().anyMatch(d -> !d.equals(LensResult.LOGIT))) {
            content += "\u0000" + String.join("\u0000", decoders); // logit-lens links keep the ids they had before decoders
        }
        if (ablations.stream().anyMatch(Ablation::ablates)) { // and plain ones the ids they had before ablations
            content += "\u0000ablation\u0000" + String.join("\u0000", ablations.stream().map(Ablation::text).toList());
        }
        return new SavedAnalysis(hash(content), kind, List.copyOf(models), List.copyOf(decoders), prompt, metric, topk, sub, Instant.now(),
                List.copyOf(ablations));
    }

    /** 96 bits of SHA-256, URL-safe: 16 characters. */
    private static String hash(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String model() {
        return models.get(0);
    }

    /** The decoder of the {@code side}-th model. */
    public String decoder(int side) {
        return decoders.get(side);
    }

    /** The ablation of the {@code side}-th model's pass. */
    public Ablation ablation(int side) {
        return ablations.get(side);
    }
}
