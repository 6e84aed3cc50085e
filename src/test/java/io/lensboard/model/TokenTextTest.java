package io.lensboard.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lensboard.Fixtures;
import org.junit.jupiter.api.Test;

/** Each vocabulary entry's text is exactly what it stands for, leading spaces and bytes included. */
class TokenTextTest {

    @Test
    void gpt2TokensKeepTheirLeadingSpaceAndShowSplitBytes() {
        try (LensTokenizer t = LensTokenizer.open(Fixtures.dir("gpt2-tokenizer").resolve("tokenizer.json"), 50257)) {
            assertEquals(" sky", t.text(6766));
            assertEquals("<|endoftext|>", t.text(50256));
            assertEquals("\n", t.text(198));
            assertEquals("\"></", t.text(23984));
            assertEquals("\\xE2\\x80", t.text(447), "the first two bytes of a three-byte character");
            assertEquals("…", t.text(1399), "the whole character");
        }
    }

    @Test
    void sentencePieceTokensShowSpacesAndByteFallback() {
        try (LensTokenizer t = LensTokenizer.open(Fixtures.dir("stories260K/hf").resolve("tokenizer.json"), 512)) {
            assertEquals("<s>", t.text(1));
            assertEquals(" The", t.text(291));
            assertEquals("\n", t.text(13));
            assertEquals("\\xE2", t.text(3 + 0xE2), "a lone continuation-leading byte");
        }
    }
}
