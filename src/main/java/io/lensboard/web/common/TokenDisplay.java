package io.lensboard.web.common;

/**
 * Makes a token's text visible: a leading space as '·', newlines as '↵', tabs as '→', other control
 * characters as \xNN; U+FFFD (a piece of an invalid or split UTF-8 sequence) stays '�'. HTML escaping
 * is the templates' job (Qute escapes every value).
 */
public final class TokenDisplay {
    private TokenDisplay() {}

    public static String visible(String text) {
        if (text.isEmpty()) {
            return "∅";
        }
        StringBuilder out = new StringBuilder(text.length() + 4);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case ' ' -> out.append('·');
                case '\n' -> out.append('↵');
                case '\r' -> out.append('␍');
                case '\t' -> out.append('→');
                default -> {
                    if (Character.isISOControl(c) || (c >= 0x2028 && c <= 0x2029)) {
                        out.append(String.format("\\x%02X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
