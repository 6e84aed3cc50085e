package io.lensboard.web.models;

/**
 * A catalog row: a model in one dtype. {@code state} is available (not in memory), loading, loaded or failed;
 * {@code progress} is in 0..1 while loading; {@code detail} says what is happening or what went wrong;
 * {@code bytes} are the parameter bytes it holds once loaded (0 otherwise). Dimensions are null for a hub
 * model whose config has not been downloaded yet.
 */
public record ModelInfo(String id, String architecture, Integer layers, Integer dModel, Integer vocabSize,
                        String device, boolean loaded, String state, double progress, String detail,
                        String dtype, long bytes) {

    /**
     * Whether it reads images (a ViT, or a hybrid STEM+STACK) rather than text: its config says so, or, for a hub ViT
     * whose config is not downloaded yet, its name. Not a record component, so the API's JSON is what it was.
     */
    public boolean takesImages() {
        return "vit".equals(architecture) || id.contains("+") || id.startsWith("hf:google/vit");
    }

    /** The bytes held, for people ("13.8 GB"); empty when not loaded. */
    public String memory() {
        if (bytes == 0) {
            return "";
        }
        String[] units = {"bytes", "kB", "MB", "GB"};
        int u = 0;
        double v = bytes;
        while (u < units.length - 1 && v >= 1000) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }
}
