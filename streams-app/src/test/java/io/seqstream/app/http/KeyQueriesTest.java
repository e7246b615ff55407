package io.seqstream.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqstream.engine.KeyState;
import io.seqstream.model.LoadedModel;
import io.seqstream.testing.TestModels;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class KeyQueriesTest {
    private final LoadedModel model = TestModels.hdfs();

    @Test
    void shouldSummarizeAKeysStateAsJsonWithTopKTokenStrings() throws Exception {
        KeyQueries queries = new KeyQueries(null, "sequence-state", new HostInfo("node-1", 9400),
                label -> label.equals(model.label()) ? Optional.of(model.vocabulary()) : Optional.empty(), null);
        KeyState state = KeyState.start(model.label(), 1, 4, true, 0, 1_000L);
        state.recordScore(2.0, true, 5, 1_000L, 0L, new int[] {3, 4});
        state.recordScore(1.0, false, 3, 61_000L, 0L, new int[] {4, 5, 3});

        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsBytes(
                queries.summarize("blk-1", state)));

        assertThat(json.get("key").asText()).isEqualTo("blk-1");
        assertThat(json.get("model").asText()).isEqualTo(model.label());
        assertThat(json.get("tokensSeen").asLong()).isEqualTo(2);
        assertThat(json.get("meanSurprisal").asDouble()).isEqualTo(1.5);
        assertThat(json.get("lastSurprisal").asDouble()).isEqualTo(1.0);
        assertThat(json.get("maxSurprisal").asDouble()).isEqualTo(2.0);
        assertThat(json.get("anomalies").asLong()).isEqualTo(1);
        assertThat(json.get("lastTopK")).extracting(JsonNode::asText).containsExactly(
                model.vocabulary().token(4), model.vocabulary().token(5), model.vocabulary().token(3));
        assertThat(json.get("firstEventTime").asText()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(json.get("lastEventTime").asText()).isEqualTo("1970-01-01T00:01:01Z");
        assertThat(json.get("servedBy").asText()).isEqualTo("node-1:9400");
    }

    @Test
    void shouldLeaveTheTopKEmptyWhenTheVersionsVocabularyIsUnknown() {
        KeyQueries queries = new KeyQueries(null, "sequence-state", null, label -> Optional.empty(), null);
        KeyState state = KeyState.start("gone@1", 1, 4, true, 0, 0L);
        state.recordScore(1.0, false, 3, 0L, 0L, new int[] {4});

        KeySummary summary = queries.summarize("k", state);

        assertThat(summary.lastTopK()).isEmpty();
        assertThat(summary.servedBy()).isEmpty();
    }
}
