package io.lensboard.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FeatureSliceTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[:, :, 2000]      | true  | 0 | 0 | 2000 | 2001 | '[:, :, 2000]'",
            "[:, :, 2000-2004] | true  | 0 | 0 | 2000 | 2005 | '[:, :, 2000-2004]'",
            "[:, :, 0:4]       | true  | 0 | 0 | 0    | 4    | '[:, :, 0-3]'",
            "[:,:,:4]          | true  | 0 | 0 | 0    | 4    | '[:, :, 0-3]'",
            "[:, 0-4, 2000]    | false | 0 | 5 | 2000 | 2001 | '[:, 0-4, 2000]'",
            "' [ : , 3 , 7 ] ' | false | 3 | 4 | 7    | 8    | '[:, 3, 7]'",
    })
    void parsesTheWriteUpsNotation(String text, boolean allPositions, int p0, int p1, int n0, int n1, String normal) {
        FeatureSlice s = FeatureSlice.parse(text);
        assertEquals(allPositions, s.positions().all());
        if (!allPositions) {
            assertEquals(p0, s.positions().start());
            assertEquals(p1, s.positions().end());
        }
        assertEquals(n0, s.neurons().start());
        assertEquals(n1, s.neurons().end());
        assertEquals(normal, s.text());
        assertEquals(s, FeatureSlice.parse(s.text()), "the normalised text parses back to the same slice");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[:, :, 20x0]   | '20x0'",
            "[:, :, 5-2]    | a <= b",
            "[:, :, 4:4]    | a < b",
            "[0, :, 17]     | batch part must be ':'",
            "[:, 17]        | three parts",
            "[:, :, :]      | choose neurons",
            ":, :, 17       | in brackets",
            "[:, -1, 17]    | '-1'",
    })
    void namesTheBadPart(String text, String message) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> FeatureSlice.parse(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void checksIndicesAgainstTheModelAndInput() {
        InvalidInputException neuron = assertThrows(InvalidInputException.class, () -> FeatureSlice.parse("[:, :, 60-64]").checkNeurons(64));
        assertTrue(neuron.getMessage().contains("neuron 64 is out of range; the block output has d_model = 64"), neuron.getMessage());
        InvalidInputException position = assertThrows(InvalidInputException.class, () -> FeatureSlice.parse("[:, 0-4, 1]").checkPositions(4));
        assertTrue(position.getMessage().contains("position 4 is out of range for an input of 4 tokens"), position.getMessage());
        FeatureSlice.parse("[:, 0-3, 63]").checkNeurons(64).checkPositions(4);
    }

    @Test
    void rejectsAnEmptyFeature() {
        assertThrows(InvalidInputException.class, () -> FeatureSlice.parse(" "));
    }
}
