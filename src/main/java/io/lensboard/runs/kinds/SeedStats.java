package io.lensboard.runs.kinds;

import io.lensboard.runs.Studyable.Figure;
import java.util.List;
import java.util.Locale;

/** What a study row says about one figure over its seeds: the median, or the mean, and the spread. */
final class SeedStats {
    private SeedStats() {}

    /** The middle value, or the mean of the two middle ones; infinite when an infinite one is among them. */
    static Double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return null;
        }
        List<Double> sorted = xs.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Double mean(List<Double> xs) {
        return xs.isEmpty() ? null : xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** {@code v} in {@code pattern}, or unknown. */
    static Figure figure(String pattern, Double v) {
        return v == null ? Figure.UNKNOWN : new Figure(v, String.format(Locale.ROOT, pattern, v));
    }

    /** The median over the seeds and, with two or more, their range: "1.25 (0.9–1.7)", 4 significant digits. */
    static Figure medianAndSpread(List<Double> xs) {
        Double median = median(xs);
        if (median == null) {
            return Figure.UNKNOWN;
        }
        String text = number(median);
        if (xs.size() > 1) {
            double min = xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            text += " (" + number(min) + "–" + number(max) + ")";
        }
        return new Figure(median, text);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
