package io.seqstream.eval.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A named NAB application profile: {@code standard}, {@code reward_low_FP_rate}, {@code reward_low_FN_rate}. */
public record Profile(String name, CostMatrix costs) {

    /** NAB's three profiles as published in its {@code config/profiles.json}. */
    public static List<Profile> nabDefaults() {
        return List.of(
                new Profile("standard", new CostMatrix(1.0, 0.11, 1.0, 1.0)),
                new Profile("reward_low_FP_rate", new CostMatrix(1.0, 0.22, 1.0, 1.0)),
                new Profile("reward_low_FN_rate", new CostMatrix(1.0, 0.11, 2.0, 1.0)));
    }

    /** Reads profiles in NAB's {@code profiles.json} format, in file order. */
    public static List<Profile> load(Path profilesJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(profilesJson.toFile());
        List<Profile> profiles = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode m = entry.getValue().get("CostMatrix");
            if (m == null) {
                throw new IllegalArgumentException(profilesJson + ": profile " + entry.getKey() + " has no CostMatrix");
            }
            profiles.add(new Profile(entry.getKey(), new CostMatrix(weight(m, "tpWeight"), weight(m, "fpWeight"),
                    weight(m, "fnWeight"), m.has("tnWeight") ? m.get("tnWeight").asDouble() : 1.0)));
        }
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException(profilesJson + " holds no profiles");
        }
        return List.copyOf(profiles);
    }

    private static double weight(JsonNode matrix, String name) {
        JsonNode w = matrix.get(name);
        if (w == null || !w.isNumber()) {
            throw new IllegalArgumentException("CostMatrix lacks numeric " + name);
        }
        return w.asDouble();
    }
}
