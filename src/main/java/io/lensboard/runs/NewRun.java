package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a run is asked to be (the body of {@code POST /api/runs}; dtype float32, bfloat16 or float16): a kind, a model, the kind's parameters, and the
 * dtype the model is held in ({@code null}: the model's default, or what {@code params} carries from another run).
 */
public record NewRun(String kind, String model, String dtype, JsonNode params) {}
