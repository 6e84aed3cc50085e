package io.lensboard.analysis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A feature as the write-up "language model features" writes one: a slice {@code [batch, positions, neurons]}
 * of block l's output {@code blocks.{l-1}.hook_resid_post}, such as {@code [:, :, 2000]},
 * {@code [:, :, 2000-2004]} (inclusive), {@code [:, :, 0:4]} (end exclusive), {@code [:, 0-4, 2000]} or
 * {@code [:, 6, :]} (all neurons of position 6). The batch part is always {@code :}; each other part is one
 * contiguous range, and positions and neurons are not both ':'.
 */
public record FeatureSlice(Range positions, Range neurons) {

    /** Indices [start, end); {@code all} when written ':'. */
    public record Range(boolean all, int start, int end) {
        static final Range ALL = new Range(true, 0, 0);

        public int size() {
            return end - start;
        }

        /** How the slice writes it: ':', 'i', or 'a-b' inclusive. */
        public String text() {
            return all ? ":" : size() == 1 ? String.valueOf(start) : start + "-" + (end - 1);
        }
    }

    private static final Pattern SLICE = Pattern.compile("\\s*\\[([^\\]]*)\\]\\s*");
    private static final Pattern INDEX = Pattern.compile("\\d{1,9}");
    private static final Pattern INCLUSIVE = Pattern.compile("(\\d{1,9})\\s*-\\s*(\\d{1,9})");
    private static final Pattern EXCLUSIVE = Pattern.compile("(\\d{1,9})?\\s*:\\s*(\\d{1,9})?");

    public static FeatureSlice parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("feature is empty: write a slice of the block's output such as [:, :, 17]");
        }
        Matcher m = SLICE.matcher(text);
        if (!m.matches()) {
            throw bad(text, text.trim(), "write it in brackets: [batch, positions, neurons], e.g. [:, :, 17]");
        }
        String[] parts = m.group(1).split(",", -1);
        if (parts.length != 3) {
            throw bad(text, m.group(1).trim(), "give three parts [batch, positions, neurons], e.g. [:, :, 17]; got " + parts.length);
        }
        if (!parts[0].trim().equals(":")) {
            throw bad(text, parts[0].trim(), "the batch part must be ':'");
        }
        Range neurons = range(text, parts[2].trim());
        Range positions = range(text, parts[1].trim());
        if (neurons.all() && positions.all()) {
            throw bad(text, parts[2].trim(), "choose neurons: an index (17), an inclusive list (17-20) or a range (17:21), "
                    + "or positions with ':' for all neurons ([:, 6, :])");
        }
        return new FeatureSlice(positions, neurons);
    }

    private static Range range(String slice, String part) {
        if (part.equals(":")) {
            return Range.ALL;
        }
        if (INDEX.matcher(part).matches()) {
            int i = Integer.parseInt(part);
            return new Range(false, i, i + 1);
        }
        Matcher inclusive = INCLUSIVE.matcher(part);
        if (inclusive.matches()) {
            int a = Integer.parseInt(inclusive.group(1));
            int b = Integer.parseInt(inclusive.group(2));
            if (b < a) {
                throw bad(slice, part, "an inclusive list a-b needs a <= b");
            }
            return new Range(false, a, b + 1);
        }
        Matcher exclusive = EXCLUSIVE.matcher(part);
        if (exclusive.matches() && exclusive.group(2) != null) {
            int a = exclusive.group(1) == null ? 0 : Integer.parseInt(exclusive.group(1));
            int b = Integer.parseInt(exclusive.group(2));
            if (b <= a) {
                throw bad(slice, part, "a range a:b excludes b, so it needs a < b");
            }
            return new Range(false, a, b);
        }
        throw bad(slice, part, "write ':', an index (17), an inclusive list (17-20) or a range with its end excluded (17:21)");
    }

    private static InvalidInputException bad(String slice, String part, String how) {
        return new InvalidInputException("feature " + slice.trim() + ": '" + part + "' is not understood; " + how);
    }

    /** Checks the neuron indices against d_model. */
    public FeatureSlice checkNeurons(int dModel) {
        if (neurons.end() > dModel) {
            throw new InvalidInputException("feature " + text() + ": neuron " + (neurons.end() - 1)
                    + " is out of range; the block output has d_model = " + dModel + " neurons (0.." + (dModel - 1) + ")");
        }
        return this;
    }

    /** Checks the position indices against an input of {@code n} tokens. */
    public FeatureSlice checkPositions(int n) {
        if (!positions.all() && positions.end() > n) {
            throw new InvalidInputException("feature " + text() + ": position " + (positions.end() - 1)
                    + " is out of range for an input of " + n + " tokens (0.." + (n - 1) + ")");
        }
        return this;
    }

    /** The normalised text, as stored with a run: {@code [:, 0-4, 2000]}. */
    public String text() {
        return "[:, " + positions.text() + ", " + neurons.text() + "]";
    }
}
