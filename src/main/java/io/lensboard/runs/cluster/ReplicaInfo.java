package io.lensboard.runs.cluster;

import java.time.Instant;
import java.util.List;

/** What {@code GET /api/cluster} says of one replica: its models held warm, free memory, runs and last heartbeat. */
public record ReplicaInfo(String id, String url, List<String> models, long memoryFree, List<String> runs, Instant heartbeat) {
}
