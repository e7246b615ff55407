package io.seqstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.model.LoadedModel;
import io.seqstream.schemas.v1.Score;
import io.seqstream.testing.OfflineReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks streamed scores against the network's offline output over each whole sequence. */
final class ScoreAssertions {
    private ScoreAssertions() {
    }

    /**
     * Exactly one score per event, in each key's order, each equal (to 1e-5) to what {@code output()} on the
     * key's whole sequence gives.
     */
    static void assertExactlyOnceAndEqualToOffline(List<Score> scores, Map<String, List<String>> sessions,
                                                   LoadedModel model) {
        Map<String, List<Score>> byKey = new HashMap<>();
        for (Score s : scores) {
            byKey.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(s);
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(sessions.keySet());
        for (Map.Entry<String, List<String>> session : sessions.entrySet()) {
            List<String> tokens = session.getValue();
            List<Score> got = byKey.get(session.getKey());
            assertThat(got).as("scores of %s", session.getKey())
                    .extracting(Score::getPosition)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, tokens.size()).boxed().toList());
            float[][] expected = OfflineReference.distributions(model, tokens);
            for (int i = 0; i < tokens.size(); i++) {
                Score s = got.get(i);
                assertThat(s.getToken()).isEqualTo(tokens.get(i));
                assertThat(s.getProbability()).as("p(%s) at %s #%d", tokens.get(i), session.getKey(), i + 1)
                        .isCloseTo(expected[i][s.getTokenId()], within(1e-5));
                for (var prediction : s.getPredictions()) {
                    int id = model.vocabulary().id(prediction.getToken());
                    assertThat(prediction.getProbability()).isCloseTo(expected[i][id], within(1e-5));
                }
            }
        }
    }
}
