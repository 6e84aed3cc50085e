package io.lensboard.model.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A space where a query string decoded a hybrid's '+': read as STEM+STACK whatever each part's source. */
class ModelRefSpacesTest {
    private static final Predicate<String> LOCAL = Set.of("vit-tiny", "gpt2-tiny", "stories260K")::contains;

    @Test
    void joinsAStemAndAStackOfAnySource() {
        assertEquals("vit-tiny+gpt2-tiny", ModelRef.canonical("vit-tiny gpt2-tiny", LOCAL));
        assertEquals("vit-tiny+hf:openai-community/gpt2", ModelRef.canonical("vit-tiny hf:openai-community/gpt2", LOCAL));
        assertEquals("hf:google/vit-base-patch16-224+gpt2-tiny", ModelRef.canonical("hf:google/vit-base-patch16-224 gpt2-tiny", LOCAL));
        assertEquals("hf:google/vit-base-patch16-224+gpt2-tiny:untrained:3",
                ModelRef.canonical("hf:google/vit-base-patch16-224 gpt2-tiny:untrained:3", LOCAL));
        assertEquals("hf:a/b+hf:c/d", ModelRef.canonical("hf:a/b hf:c/d", LOCAL));
        assertEquals("vit-tiny+hf:openai-community/gpt2", ModelRef.parse("vit-tiny hf:openai-community/gpt2").id(),
                "a local stem before a hub stack needs no catalog");
    }

    @Test
    void keepsAHubNameWithASpaceBeforeNoLocalModelAsOneId() {
        assertEquals("hf:a/b c", ModelRef.canonical("hf:a/b c", LOCAL));
        assertEquals("hf:google/vit-base-patch16-224 gpt2-tiny", ModelRef.canonical("hf:google/vit-base-patch16-224 gpt2-tiny"),
                "without the catalog, nothing says gpt2-tiny is a model");
        assertEquals("a b c", ModelRef.canonical("a b c", LOCAL));
        assertEquals("vit-tiny+gpt2-tiny", ModelRef.canonical("vit-tiny+gpt2-tiny", LOCAL));
    }
}
