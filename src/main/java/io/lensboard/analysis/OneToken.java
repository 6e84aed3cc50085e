package io.lensboard.analysis;

import io.lensboard.model.LensTokenizer;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A token named by its id ("262") or by a text that encodes to exactly one token (" dog"). */
public final class OneToken {
    private OneToken() {}

    /**
     * The id {@code value} names; {@code what} names the parameter in a refusal. A text is encoded as a prompt is, less
     * what the tokenizer puts before every text (Llama's BOS), and must give one token; the refusal lists the tokens it gave.
     */
    public static long parse(LensTokenizer tokenizer, String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(what + " is empty: give a token id or a text that is one token");
        }
        if (value.chars().allMatch(Character::isDigit) && value.length() <= 9) {
            long id = Long.parseLong(value);
            if (!tokenizer.inVocabulary(id)) {
                throw new InvalidInputException(what + " " + id + " is not a token id of this model: its vocabulary has ids 0.."
                        + (tokenizer.vocabSize() - 1));
            }
            return id;
        }
        long[] prefix = tokenizer.encode("");
        long[] ids = tokenizer.encode(value);
        if (ids.length >= prefix.length && Arrays.equals(prefix, Arrays.copyOf(ids, prefix.length))) {
            ids = Arrays.copyOfRange(ids, prefix.length, ids.length);
        }
        if (ids.length != 1 || !tokenizer.inVocabulary(ids[0])) {
            String tokens = Arrays.stream(ids).mapToObj(id -> "'" + tokenizer.text(id) + "' (" + id + ")").collect(Collectors.joining(", "));
            throw new InvalidInputException(what + " '" + value + "' is " + ids.length + " tokens, not one: " + tokens
                    + "; give one of them, or its id");
        }
        return ids[0];
    }
}
