package io.lensboard.runs;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;

/**
 * A token's text in a run's event: the API and the store get the plain string, and a page shows it as the lens shows
 * tokens (a leading space as '·', a newline as '↵'). The type says that a string is a token, so pages never look
 * for fields by name: a kind puts a TokenText wherever its event carries a token, in lists or lists of lists too.
 */
public record TokenText(String text) {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TokenText {
        Objects.requireNonNull(text, "text");
    }

    @JsonValue
    @Override
    public String text() {
        return text;
    }

    public static List<TokenText> of(List<String> texts) {
        return texts.stream().map(TokenText::new).toList();
    }
}
