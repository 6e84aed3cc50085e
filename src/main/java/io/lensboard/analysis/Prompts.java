package io.lensboard.analysis;

import io.lensboard.model.LensTokenizer;

/** Prompt text as every analysis receives it, whichever way it entered (form, query string, JSON). */
public final class Prompts {
    private Prompts() {}

    /**
     * Line endings as {@code \n}: a browser submits a textarea's newlines as CRLF, which the tokenizer would
     * otherwise see as an extra {@code \r} token. A lone {@code \r} (old Mac) becomes {@code \n} too.
     */
    public static String lineEndings(String prompt) {
        return prompt == null ? null : prompt.replace("\r\n", "\n").replace('\r', '\n');
    }

    /**
     * {@code text}'s token ids; a token the model cannot embed (an added token past vocab_size, which the tokenizer
     * knows and the checkpoint does not) is refused as input naming it, never handed to the engine as an index out
     * of bounds. {@code what} names the text in the message ("prompt", "params.prompt", "corpus 'x'").
     */
    public static long[] encode(LensTokenizer tokenizer, String text, String what) {
        long[] ids = tokenizer.encode(text);
        for (long id : ids) {
            if (!tokenizer.inVocabulary(id)) {
                throw new InvalidInputException(what + " has the token '" + tokenizer.text(id) + "' (id " + id
                        + "), which the tokenizer knows but the model does not: its vocabulary has " + tokenizer.vocabSize()
                        + " ids, 0.." + (tokenizer.vocabSize() - 1) + "; remove that token from the " + what);
            }
        }
        return ids;
    }
}
