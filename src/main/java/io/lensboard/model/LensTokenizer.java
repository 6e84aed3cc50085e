package io.lensboard.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Encodes prompts with DJL's Hugging Face tokenizers (the tokenizer adds BOS where its
 * post-processor says so) and gives each vocabulary entry its exact text: the bytes the token
 * stands for, leading space included, which the tokenizer's own decode of a single id can strip.
 */
public final class LensTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final String[] texts;

    private LensTokenizer(HuggingFaceTokenizer tokenizer, String[] texts) {
        this.tokenizer = tokenizer;
        this.texts = texts;
    }

    /**
     * The tokenizer for a model of {@code vocabSize} embedding rows. One whose vocabulary reaches past them is refused
     * here (a 422 naming both sizes), at load, before any prompt meets the engine as an index out of bounds. Added
     * tokens past vocab_size are let through (checkpoints often carry an unused special token their embedding was
     * never resized for); a prompt that produces one is refused per request ({@link #inVocabulary}).
     */
    public static LensTokenizer open(Path tokenizerJson, int vocabSize) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(tokenizerJson + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
        long largest = largestVocabularyId(json);
        if (largest >= vocabSize) {
            throw new CheckpointException("the tokenizer and the checkpoint disagree: the tokenizer's largest token id is "
                    + largest + " but the model's vocabulary (vocab_size) has " + vocabSize + " ids, 0.." + (vocabSize - 1)
                    + "; use the tokenizer that belongs to this checkpoint, or a config whose vocab_size is at least "
                    + (largest + 1));
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            return new LensTokenizer(t, tokenTexts(json, vocabSize));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(tokenizerJson + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * The largest id of the tokenizer's vocabulary proper (model.vocab), what ordinary text encodes to; -1 if none. BPE
     * and WordPiece map pieces to ids; Unigram lists [piece, score] pairs, the id being the position.
     */
    private static long largestVocabularyId(JsonNode json) {
        JsonNode vocab = json.path("model").path("vocab");
        if (vocab.isArray()) {
            return vocab.size() - 1;
        }
        long largest = -1;
        for (JsonNode id : vocab) {
            largest = Math.max(largest, id.asLong());
        }
        return largest;
    }

    /** Whether the model has an embedding row for {@code id}: an added token past vocab_size has none. */
    public boolean inVocabulary(long id) {
        return id >= 0 && id < texts.length;
    }

    /** The model's vocabulary size (vocab_size), the number of ids it can embed. */
    public int vocabSize() {
        return texts.length;
    }

    public long[] encode(String text) {
        return tokenizer.encode(text).getIds();
    }

    public String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }

    /**
     * The token's own text ("Ġsky" is " sky", "<0x0A>" is "\n"); a piece of a multi-byte character shows
     * its bytes ("\xE2\x80"); an added token past the vocabulary, its content; unknown ids give "<id>".
     */
    public String text(long id) {
        if (!inVocabulary(id)) {
            String decoded = tokenizer.decode(new long[] {id}, false);
            return decoded.isEmpty() ? "<" + id + ">" : decoded;
        }
        return texts[(int) id] != null ? texts[(int) id] : "<" + id + ">";
    }

    /** {@link #text} of each id. */
    public List<String> texts(long[] ids) {
        return java.util.Arrays.stream(ids).mapToObj(this::text).toList();
    }

    private static String[] tokenTexts(JsonNode json, int vocabSize) {
        String[] texts = new String[vocabSize];
        boolean byteLevel = json.toString().contains("\"ByteLevel\"");
        json.path("model").path("vocab").properties().forEach(e -> {
            int id = e.getValue().asInt();
            if (id >= 0 && id < vocabSize) {
                texts[id] = byteLevel ? ByteLevel.decode(e.getKey()) : sentencePiece(e.getKey());
            }
        });
        for (JsonNode added : json.path("added_tokens")) {
            int id = added.path("id").asInt(-1);
            if (id >= 0 && id < vocabSize) {
                texts[id] = added.path("content").asText();
            }
        }
        return texts;
    }

    /** "▁the" is " the"; a byte-fallback piece "<0x0A>" is that byte. */
    private static String sentencePiece(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            return utf8OrEscaped(new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)});
        }
        return piece.replace('\u2581', ' ');
    }

    /**
     * The bytes as UTF-8 when they are valid on their own; otherwise ASCII as it is and every other byte
     * as \xNN, so that the pieces of a split character stay distinguishable (not all U+FFFD).
     */
    static String utf8OrEscaped(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException partial) {
            StringBuilder out = new StringBuilder();
            for (byte b : bytes) {
                out.append(b >= 0 ? String.valueOf((char) b) : String.format("\\x%02X", b & 0xff));
            }
            return out.toString();
        }
    }

    /** GPT-2's byte-to-unicode table, inverted: each vocabulary character stands for one byte. */
    static final class ByteLevel {
        private static final int[] CHAR_TO_BYTE = new int[512];

        static {
            java.util.Arrays.fill(CHAR_TO_BYTE, -1);
            int n = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                CHAR_TO_BYTE[printable ? b : 256 + n++] = b;
            }
        }

        static String decode(String token) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (char ch : token.toCharArray()) {
                int b = ch < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[ch] : -1;
                if (b < 0) {
                    return token; // not a byte-level piece (an added token)
                }
                bytes.write(b);
            }
            return utf8OrEscaped(bytes.toByteArray());
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
