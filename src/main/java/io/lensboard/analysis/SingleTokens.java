package io.lensboard.analysis;

import io.lensboard.model.LensTokenizer;
import java.util.stream.Collectors;

/**
 * A parameter that names one token ({@code token}, {@code against}): a token id (digits only), or a text that is
 * exactly one token. A text is first looked up as a vocabulary entry's own text (" cat" with its leading space, as
 * the lens shows tokens), so that a tokenizer which adds a word-start marker to every encoding still finds it;
 * failing that, a text whose encoding, less what the tokenizer puts before every text (Llama's BOS), is one token.
 */
public final class SingleTokens {
    private static final int MAX_SHOWN = 12;

    private SingleTokens() {}

    /** The id {@code value} names; else {@link InvalidInputException} naming what to change ({@code what}: its parameter). */
    public static long resolve(LensTokenizer tok, String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(what + " is empty: give a token id or a text that is exactly one token");
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return id(tok, value, what);
        }
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (value.equals(tok.text(id))) {
                return id;
            }
        }
        long[] ids = withoutPrefix(tok, Prompts.encode(tok, value, what));
        if (ids.length == 1) {
            return ids[0];
        }
        String shown = java.util.Arrays.stream(ids).limit(MAX_SHOWN).mapToObj(id -> "'" + tok.text(id) + "' (" + id + ")")
                .collect(Collectors.joining(", "));
        throw new InvalidInputException(what + " '" + shorten(value) + "' is " + ids.length + " tokens, not one: " + shown
                + (ids.length > MAX_SHOWN ? ", …" : "") + "; give one of them, by its text or its id");
    }

    private static long id(LensTokenizer tok, String value, String what) {
        long id;
        try {
            id = Long.parseLong(value);
        } catch (NumberFormatException e) {
            id = -1; // too many digits: answered below
        }
        if (!tok.inVocabulary(id)) {
            throw new InvalidInputException(what + " " + shorten(value) + " is not a token id of this model: its vocabulary has "
                    + tok.vocabSize() + " ids, 0.." + (tok.vocabSize() - 1));
        }
        return id;
    }

    /** ids less the tokens the tokenizer puts before every text (its encoding of ""). */
    private static long[] withoutPrefix(LensTokenizer tok, long[] ids) {
        long[] prefix = tok.encode("");
        boolean prefixed = ids.length >= prefix.length && java.util.Arrays.equals(prefix, java.util.Arrays.copyOf(ids, prefix.length));
        return prefixed ? java.util.Arrays.copyOfRange(ids, prefix.length, ids.length) : ids;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
