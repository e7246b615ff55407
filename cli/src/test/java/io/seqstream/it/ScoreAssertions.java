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

    /**
     * Exactly one score per event across a swap from {@code from} to {@code to}: each key's scores name {@code from}
     * up to some position and {@code to} from then on (one switch, never back), and each equals (to 1e-5) the
     * offline output of the version that produced it over the key's whole sequence — for {@code to}, its replayed
     * context, which holds the whole sequence while sequences are shorter than {@code model.replay-tokens}.
     *
     * @return how many keys were scored by each version at least once
     */
    static Map<String, Integer> assertExactlyOnceAcrossASwap(List<Score> scores, Map<String, List<String>> sessions,
                                                            LoadedModel from, LoadedModel to) {
        Map<String, List<Score>> byKey = new HashMap<>();
        for (Score s : scores) {
            byKey.computeIfAbsent(s.getKey(), k -> new ArrayList<>()).add(s);
        }
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(sessions.keySet());
        Map<String, Integer> keysPerVersion = new HashMap<>();
        for (Map.Entry<String, List<String>> session : sessions.entrySet()) {
            List<String> tokens = session.getValue();
            List<Score> got = byKey.get(session.getKey());
            assertThat(got).as("scores of %s", session.getKey())
                    .extracting(Score::getPosition)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, tokens.size()).boxed().toList());
            float[][] before = OfflineReference.distributions(from, tokens);
            float[][] after = OfflineReference.distributions(to, tokens);
            boolean switched = false;
            for (int i = 0; i < tokens.size(); i++) {
                Score s = got.get(i);
                String model = s.getModel().toString();
                if (model.equals(to.label())) {
                    switched = true;
                } else {
                    assertThat(model).as("%s #%d after the switch", session.getKey(), i + 1).isEqualTo(from.label());
                    assertThat(switched).as("%s went back to %s at #%d", session.getKey(), from.label(), i + 1)
                            .isFalse();
                }
                float[][] expected = switched ? after : before;
                assertThat(s.getProbability()).as("p(%s) at %s #%d under %s", tokens.get(i), session.getKey(), i + 1,
                                model).isCloseTo(expected[i][s.getTokenId()], within(1e-5));
            }
            keysPerVersion.merge(from.label(), got.get(0).getModel().toString().equals(from.label()) ? 1 : 0,
                    Integer::sum);
            keysPerVersion.merge(to.label(), switched ? 1 : 0, Integer::sum);
        }
        return keysPerVersion;
    }
}
