package io.lensboard.web;

/**
 * A catalog row. {@code state} is available (not in memory), loading, loaded or failed; {@code progress}
 * is in 0..1 while loading; {@code detail} says what is happening or what went wrong. Dimensions are
 * null for a hub model whose config has not been downloaded yet.
 */
public record ModelInfo(String id, String architecture, Integer layers, Integer dModel, Integer vocabSize,
                        String device, boolean loaded, String state, double progress, String detail) {}
