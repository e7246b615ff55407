package io.seqstream.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.seqstream.model.LoadedModel;
import io.seqstream.model.ModelCalibration;
import io.seqstream.model.Vocabulary;
import io.seqstream.testing.OfflineReference;
import io.seqstream.testing.TestModels;
import io.seqstream.training.Calibrator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The calibration training writes measures the same surprisal the stream's engines compute. */
class CalibrationParityTest {
    @Test
    void shouldMeasureTheSurprisalTheStreamComputesOnRealSessions() {
        LoadedModel model = TestModels.hdfs();
        List<List<String>> sessions = TestModels.hdfsSessions("train", 40);

        ModelCalibration c = Calibrator.calibrate(model.network(), model.vocabulary(), sessions);

        double worst = 0;
        List<Double> all = new ArrayList<>();
        for (List<String> session : sessions) {
            float[][] p = OfflineReference.distributions(model, session);
            for (int step = 0; step <= session.size(); step++) {
                int target = step < session.size() ? model.vocabulary().id(session.get(step)) : Vocabulary.END_ID;
                double s = -Math.log(p[step][target]);
                all.add(s);
                worst = Math.max(worst, s);
            }
        }
        assertThat(c.sequences()).isEqualTo(40);
        assertThat(c.sessionMaxSurprisal()).isCloseTo(worst, within(1e-4));
        assertThat(c.eventSurprisal()[0]).isCloseTo(all.stream().mapToDouble(d -> d).min().orElseThrow(),
                within(1e-4));
    }
}
