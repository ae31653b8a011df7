package dev.pledge.bench;

import java.nio.file.Path;

/** One JMS bridge under test, moving {@code in} on the source broker to {@code out} on the target, batch by batch. */
interface BridgeContender extends AutoCloseable {
    String IN = "bridge-in";
    String OUT = "bridge-out";
    /** pipelineDepth of the pipelined Pledge contenders. */
    int PIPELINE_DEPTH = 8;

    /** Starts moving messages; its transaction log (if any) goes under {@code dir}. */
    void start(Path dir, BridgeBroker source, BridgeBroker target, int batchSize) throws Exception;

    @Override
    void close() throws Exception;

    /** What the report calls it. */
    static String label(String name) {
        return switch (name) {
            case "artemis" -> "Artemis JMSBridgeImpl + Narayana";
            case "pledge" -> "Pledge, ordered";
            case "pledge-parallel" -> "Pledge, ordered, parallel phases";
            case "pledge-pipelined" -> "Pledge, ordered, pipelined (" + PIPELINE_DEPTH + " batches in flight)";
            case "pledge-pipelined-parallel" -> "Pledge, ordered, pipelined (" + PIPELINE_DEPTH + " in flight), parallel phases";
            case "pledge-concurrent" -> "Pledge, 8 concurrent batches (unordered)";
            default -> throw new IllegalArgumentException("unknown bridge contender '" + name
                    + "' (artemis, pledge, pledge-parallel, pledge-pipelined, pledge-pipelined-parallel, pledge-concurrent)");
        };
    }

    static BridgeContender named(String name) {
        label(name); // fails on an unknown name
        return switch (name) {
            case "artemis" -> new ArtemisBridge();
            case "pledge" -> new PledgeBridge(false, 1, 1);
            case "pledge-parallel" -> new PledgeBridge(true, 1, 1);
            case "pledge-pipelined" -> new PledgeBridge(false, 1, PIPELINE_DEPTH);
            case "pledge-pipelined-parallel" -> new PledgeBridge(true, 1, PIPELINE_DEPTH);
            default -> new PledgeBridge(false, 8, 1);
        };
    }
}
