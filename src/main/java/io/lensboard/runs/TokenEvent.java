package io.lensboard.runs;

import java.util.List;

/**
 * An event record that carries the run's current tokens (a decoding, a target): a running cell of a table shows them.
 * {@code tokens()} is null in an event that has none this time (a step between decodings).
 */
public interface TokenEvent {
    List<TokenText> tokens();
}
