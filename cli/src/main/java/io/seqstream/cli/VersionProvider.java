package io.seqstream.cli;

import io.seqstream.model.ModelStore;
import java.util.Map;
import picocli.CommandLine.IVersionProvider;

/** Prints seqstream's version and those of the libraries it runs on. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Map<String, String> versions = ModelStore.libraryVersions();
        return new String[] {"seqstream " + versions.getOrDefault("seqstream", "?"),
            "DeepLearning4J " + versions.getOrDefault("deeplearning4j", "?") + ", Kafka Streams "
                + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ", Java " + versions.get("java")};
    }
}
