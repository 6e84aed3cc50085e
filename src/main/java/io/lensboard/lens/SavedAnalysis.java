package io.lensboard.lens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * A lens or compare analysis as a short link stores it: the model (two for a comparison), the prompt and the view
 * (metric, top-k, sub-block rows). Its id is a hash of these, so the same analysis always gets the same link.
 */
public record SavedAnalysis(String id, Kind kind, List<String> models, String prompt, String metric, int topk, boolean sub,
                            Instant createdAt) {

    public enum Kind {
        LENS, COMPARE;

        public String key() {
            return name().toLowerCase();
        }
    }

    /** A new analysis, its id derived from its content. */
    public static SavedAnalysis of(Kind kind, List<String> models, String prompt, String metric, int topk, boolean sub) {
        String content = String.join("\u0000", kind.key(), String.join("\u0000", models), prompt, metric,
                String.valueOf(topk), String.valueOf(sub));
        return new SavedAnalysis(hash(content), kind, List.copyOf(models), prompt, metric, topk, sub, Instant.now());
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
}
