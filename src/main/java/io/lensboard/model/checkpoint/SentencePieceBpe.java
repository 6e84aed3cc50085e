package io.lensboard.model.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A SentencePiece-style BPE vocabulary (Llama's: '▁' for a space, {@code <0xNN>} byte tokens for byte
 * fallback) turned into a Hugging Face {@code tokenizer.json}, the way Hugging Face converts a GGUF or
 * SentencePiece vocabulary: merges are every split of a token into two tokens of the vocabulary, ordered by
 * the merged token's score (highest first), ties in vocabulary order, then by where the token is cut (shorter
 * left half first). The fixture's tokenizer.json, made by Hugging Face, fixes this order (tested).
 */
public record SentencePieceBpe(List<String> pieces, float[] scores, int[] types, int bos, int eos, int unk) {
    /** SentencePiece token types, as GGUF stores them. */
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int BYTE = 6;

    List<String> merges() {
        Set<String> vocab = new HashSet<>(pieces);
        record Merge(String left, String right, float score) {}
        List<Merge> merges = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            for (int cut = 1; cut < piece.length(); cut++) {
                if (Character.isLowSurrogate(piece.charAt(cut))) {
                    continue; // Python slices code points, not UTF-16 units
                }
                String left = piece.substring(0, cut);
                String right = piece.substring(cut);
                if (vocab.contains(left) && vocab.contains(right)) {
                    merges.add(new Merge(left, right, scores[i]));
                }
            }
        }
        merges.sort(Comparator.comparingDouble(m -> -m.score())); // stable: ties keep vocabulary order
        return merges.stream().map(m -> m.left() + " " + m.right()).toList();
    }

    /** The tokenizer.json: BPE with byte fallback, '▁' prepended and for spaces, BOS added in front of every input. */
    ObjectNode tokenizerJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < pieces.size(); i++) {
            if (types[i] == CONTROL || types[i] == UNKNOWN) {
                added.addObject().put("id", i).put("content", pieces.get(i)).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", "▁");
        normalizers.addObject().put("type", "Replace").put("content", "▁").putObject("pattern").put("String", " ");
        root.putNull("pre_tokenizer");
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        String bosPiece = pieces.get(bos);
        post.putArray("single").add(special(json, bosPiece)).add(sequence(json, "A", 0));
        post.putArray("pair").add(special(json, bosPiece)).add(sequence(json, "A", 0)).add(sequence(json, "B", 1));
        ObjectNode bosEntry = post.putObject("special_tokens").putObject(bosPiece).put("id", bosPiece);
        bosEntry.putArray("ids").add(bos);
        bosEntry.putArray("tokens").add(bosPiece);
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        decoders.addObject().put("type", "Replace").put("content", " ").putObject("pattern").put("String", "▁");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", pieces.get(unk));
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", true).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < pieces.size(); i++) {
            vocab.put(pieces.get(i), i);
        }
        ArrayNode merges = model.putArray("merges");
        merges().forEach(merges::add);
        return root;
    }

    private static ObjectNode special(ObjectMapper json, String piece) {
        ObjectNode n = json.createObjectNode();
        n.putObject("SpecialToken").put("id", piece).put("type_id", 0);
        return n;
    }

    private static ObjectNode sequence(ObjectMapper json, String id, int typeId) {
        ObjectNode n = json.createObjectNode();
        n.putObject("Sequence").put("id", id).put("type_id", typeId);
        return n;
    }

    /** Writes the tokenizer.json to a new temporary file (the caller opens it, then deletes it). */
    Path writeTemp() {
        try {
            Path file = Files.createTempFile("lensboard-tokenizer", ".json");
            new ObjectMapper().writeValue(file.toFile(), tokenizerJson());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
