package io.lensboard.web.common;

import io.quarkus.qute.TemplateExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formatting in templates: {@code {t.visible}} shows a token text through {@link TokenDisplay}, as the lens does;
 * {@code {v.urlParam}} a value escaped for a URL; {@code {x.percent}} a fraction as a whole percentage
 * ({@code {x.percent(1)}} to one decimal); {@code {x.number}} a value to 4 significant digits;
 * {@code {n.bytes}} a size.
 */
@TemplateExtension
final class TemplateExtensions {
    private TemplateExtensions() {}

    static String visible(String text) {
        return TokenDisplay.visible(text);
    }

    /** A value written into a URL's query or path: {@code {model.urlParam}} keeps a hybrid's '+' from reading as a space. */
    static String urlParam(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String percent(Object fraction) {
        return percent(fraction, 0);
    }

    /** {@code {x.percent(1)}}: a percentage with that many decimals (an accuracy of 3.6% is not "4%"). */
    static String percent(Object fraction, int decimals) {
        return fraction instanceof Number n ? String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * n.doubleValue()) : String.valueOf(fraction);
    }

    /** A time as people read it: 2026-11-30 18:57:13 UTC. */
    static String readable(Instant t) {
        return READABLE.format(t);
    }

    private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    /** A size in bytes in the largest unit that keeps it at or above 1: 7.5 GB, 412 MB. */
    static String bytes(long n) {
        String[] units = {"bytes", "kB", "MB", "GB", "TB"};
        double v = n;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** A number to 4 significant digits; JSON's "NaN" and "Infinity" (stored as strings) as they are. */
    static String number(Object value) {
        return value instanceof Number n ? Numbers.number(n.doubleValue()) : String.valueOf(value);
    }
}
