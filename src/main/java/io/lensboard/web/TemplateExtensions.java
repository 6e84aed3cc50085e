package io.lensboard.web;

import io.quarkus.qute.TemplateExtension;
import java.util.Locale;

/**
 * Formatting in templates: {@code {t.visible}} shows a token text through {@link TokenDisplay}, as the lens does;
 * {@code {x.percent}} a fraction as a whole percentage; {@code {x.number}} a value to 4 significant digits.
 */
@TemplateExtension
final class TemplateExtensions {
    private TemplateExtensions() {}

    static String visible(String text) {
        return TokenDisplay.visible(text);
    }

    static String percent(Number fraction) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * fraction.doubleValue());
    }

    static String number(Number value) {
        return AlignmentView.number(value.doubleValue());
    }
}
