package io.lensboard.runs;

import com.fasterxml.jackson.databind.JsonNode;

/** A kind whose runs show a picture as they go (an image forming): the tiles of grids and comparisons show it. */
public interface Pictures {
    /** The picture (a PNG data URL) that the kind's event {@code type} with {@code data} carries, or null if none. */
    String picture(String type, JsonNode data);
}
