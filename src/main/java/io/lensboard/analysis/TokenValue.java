package io.lensboard.analysis;

/** A token and the feature's value for it. */
public record TokenValue(long id, String text, double value) {}
