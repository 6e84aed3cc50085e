package io.lensboard.analysis;

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
}
