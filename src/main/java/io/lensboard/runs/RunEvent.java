package io.lensboard.runs;

/** One entry of a run's event log: {@code seq} is its SSE id; {@code data} is JSON. */
public record RunEvent(long seq, String type, String data) {}
