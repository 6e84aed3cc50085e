package io.lensboard.model.checkpoint;

import java.time.Duration;

/**
 * What one hub download may take (README "Hardening"): each file's bytes, the bytes of all files fetched for one
 * model or lens, how long connecting may take, and how long the hub may send nothing (before its answer's headers, or
 * in the middle of a file: then the download resumes, a few times, before it fails).
 */
public record HubLimits(long maxFileBytes, long maxTotalBytes, Duration connectTimeout, Duration readTimeout) {
    /** The defaults of application.properties: enough for a 7B model in bfloat16 in shards, not for a disk's worth. */
    public static final HubLimits DEFAULT = new HubLimits(16L << 30, 32L << 30, Duration.ofSeconds(10), Duration.ofSeconds(60));

    public HubLimits withReadTimeout(Duration timeout) {
        return new HubLimits(maxFileBytes, maxTotalBytes, connectTimeout, timeout);
    }
}
