package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RepetitionTest {

    /** "the cat the cat sat": positions 2 and 3 repeat earlier tokens, 4 of 5 positions never count position 0. */
    @Test
    void countsPositionsWhoseTokenOccurredEarlier() {
        assertEquals(2.0 / 5, Repetition.of(new long[] {10, 20, 10, 20, 30}), 1e-15);
        assertEquals(0.0, Repetition.of(new long[] {1, 2, 3}), 0.0);
        assertEquals(3.0 / 4, Repetition.of(new long[] {7, 7, 7, 7}), 1e-15, "every position after the first");
        assertEquals(0.0, Repetition.of(new long[] {}), 0.0);
    }

    @Test
    void reportsEachTopKRowOnItsOwn() {
        long[][] topk = {{1, 2, 1, 3}, {5, 5, 5, 6}}; // [k][T]: row 0 is the top-1 decoding
        assertArrayEquals(new double[] {0.25, 0.5}, Repetition.rows(topk), 1e-15);
    }
}
