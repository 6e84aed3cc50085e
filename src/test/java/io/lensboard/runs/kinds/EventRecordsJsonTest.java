package io.lensboard.runs.kinds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lensboard.runs.TokenText;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kinds' event records write the JSON that their events had as maps, field for field and in the same order: the
 * API's events and the exports do not change because a token is now a type. Expected strings are the maps' JSON.
 */
@QuarkusTest
class EventRecordsJsonTest {

    @Inject
    ObjectMapper json;

    private static final List<TokenText> TOKENS = TokenText.of(List.of(" a", "\n"));

    @Test
    void walkStepsKeepTheirFieldsAndANullRatioAndLeaveOutAnAbsentDecoding() throws Exception {
        assertEquals("{\"step\":2,\"index\":1,\"d_i\":0.5,\"d_o\":0.0,\"r\":null,\"progress\":0.5}",
                json.writeValueAsString(new ClampedWalkKind.Step(2, 1, 0.5, 0.0, null, 0.5, null, null, null, null)));
        assertEquals("{\"step\":4,\"orthogonality\":0.25,\"d_i\":0.5,\"d_o\":1.0,\"ratio\":2.0,\"progress\":1.0,\"ids\":[3,4],"
                        + "\"tokens\":[\" a\",\"\\n\"],\"topk_tokens\":[[\" a\"],[\"\\n\"]],\"repetition\":0.0}",
                json.writeValueAsString(new OrthogonalWalkKind.Step(4, 0.25, 0.5, 1.0, 2.0, 1.0, new long[] {3, 4}, TOKENS,
                        List.of(TOKENS.subList(0, 1), TOKENS.subList(1, 2)), 0.0)));
        assertEquals("{\"ids\":[3,4],\"tokens\":[\" a\",\"\\n\"]}", json.writeValueAsString(new WalkJob.Target(new long[] {3, 4}, TOKENS)));
    }

    @Test
    void sentenceAndFeatureEventsKeepTheirFields() throws Exception {
        assertEquals("{\"step\":1,\"loss\":2.0,\"progress\":0.5}",
                json.writeValueAsString(new ReconstructionKind.Step(1, 2.0, 0.5, null, null, null, null, null)));
        assertEquals("{\"step\":2,\"loss\":1.0,\"progress\":1.0,\"ids\":[3,4],\"tokens\":[\" a\",\"\\n\"],\"exact\":[true,false],"
                        + "\"m_g\":0.5,\"repetition\":0.0}",
                json.writeValueAsString(new ReconstructionKind.Step(2, 1.0, 1.0, new long[] {3, 4}, TOKENS, new boolean[] {true, false}, 0.5, 0.0)));
        assertEquals("{\"step\":1,\"objective\":2.0,\"value\":3.0,\"progress\":0.5}",
                json.writeValueAsString(new AscentKind.Step(1, 2.0, 3.0, 0.5, null, null, null, null)));
        assertEquals("{\"position\":0,\"token\":{\"id\":3,\"text\":\" a\",\"value\":1.5},\"ids\":[3],\"tokens\":[\" a\"],\"values\":[1.5]}",
                json.writeValueAsString(new GreedyKind.Token(0, new ScoredToken(3, TOKENS.get(0), 1.5), new long[] {3}, TOKENS.subList(0, 1),
                        new double[] {1.5})));
        assertEquals("{\"tokens_done\":2,\"vocabulary\":4,\"progress\":0.5,\"top\":[{\"id\":3,\"text\":\"\\n\",\"value\":1.5}]}",
                json.writeValueAsString(new ExhaustiveKind.Batch(2, 4, 0.5, List.of(new ScoredToken(3, TOKENS.get(1), 1.5)))));
    }
}
