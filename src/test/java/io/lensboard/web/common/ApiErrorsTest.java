package io.lensboard.web.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A 503 from a failed disk or network says what failed without Java's class names (issue 26 item 8). */
class ApiErrorsTest {

    @Test
    void unavailableAnswersNameNoJavaClasses() {
        ApiError refused = ApiErrors.body(new UncheckedIOException(new ConnectException("Connection refused")));
        assertEquals(503, refused.status());
        assertEquals("Connection refused", refused.error());
        assertEquals("connection refused", ApiErrors.body(new IOException(new ConnectException())).error());
        assertEquals("Document nesting depth (1001) exceeds the maximum allowed (1000)", ApiErrors.body(new IOException(
                "Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)"))
                .error());
        assertEquals("cannot store the corpus: No space left on device",
                ApiErrors.body(new UncheckedIOException("cannot store the corpus: No space left on device", new IOException())).error());
    }
}
