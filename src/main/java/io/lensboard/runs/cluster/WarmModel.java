package io.lensboard.runs.cluster;

/**
 * A model a replica holds loaded, in the precision it holds it: a run counts it as warm only in the run's own dtype
 * (a bfloat16 copy would have to be loaded again for a float32 run).
 */
public record WarmModel(String model, String dtype) {}
