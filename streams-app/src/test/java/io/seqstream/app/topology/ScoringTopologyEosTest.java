package io.seqstream.app.topology;

/** The same suite under exactly-once. */
class ScoringTopologyEosTest extends ScoringTopologyTest {
    @Override
    protected String guarantee() {
        return "exactly_once_v2";
    }
}
