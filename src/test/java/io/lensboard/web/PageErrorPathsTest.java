package io.lensboard.web;

import io.lensboard.web.common.ErrorMessages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A page's error message names a file, never where it lives on the server. */
class PageErrorPathsTest {

    @Test
    void stripsAbsoluteAndRelativeServerPathsToTheFileName() {
        assertEquals("cannot read model.safetensors: no such file",
                ErrorMessages.withoutPaths("cannot read ../shared/fixtures/gpt2-small-config/model.safetensors: no such file"));
        assertEquals("no weights in gpt2-small-config", ErrorMessages.withoutPaths("no weights in /work/shared/fixtures/gpt2-small-config"));
        assertEquals("see http://x.org/a/b, 1/2", ErrorMessages.withoutPaths("see http://x.org/a/b, 1/2"));
    }
}
