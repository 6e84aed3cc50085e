package io.lensboard.bench;

import ai.djl.Device;
import io.lensboard.analysis.CorpusChunks;
import io.lensboard.analysis.TunedLens;
import io.lensboard.corpora.Corpora;
import io.lensboard.model.LoadedModel;
import io.lensboard.model.pool.ModelLoader;
import io.lensboard.runs.kinds.TunedLensKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The README's tuned-lens figures ("Runs: tuned lens training"), computed the way a {@code tuned-lens} run computes
 * them (TunedLensKind's chunks and settings): stories260K, the built-in corpus, tokens 256, context 64, SGD, lr 0.25,
 * seed 0, over 30 and 100 steps. Training is deterministic for its seed, so the figures are the same on every run of
 * this command on the same engine build. Writes a Markdown report (default target/benchmarks/tuned-lens.md).
 * Run: ./mvnw -Ptuned-lens-figures verify
 */
public final class TunedLensFigures {

    public static void main(String[] args) throws IOException {
        Path fixtures = Path.of(System.getProperty("shared.fixtures", "../shared/fixtures"));
        Path report = Path.of(args.length > 0 ? args[0] : "target/benchmarks/tuned-lens.md");
        StringBuilder out = new StringBuilder("# Tuned lens on stories260K, built-in corpus\n\n"
                + "tokens 256, context 64, SGD, lr 0.25, seed 0; held-out mean KL(final ‖ layer) in nats, layers 0 … 5\n\n"
                + "| steps | decoder | per layer | mean |\n|---:|---|---|---:|\n");
        try (LoadedModel m = ModelLoader.load("stories260K", fixtures.resolve("stories260K/hf"), null, Device.cpu())) {
            for (int steps : new int[] {30, 100}) {
                TunedLensKind.Params p = new TunedLensKind.Params(Corpora.DEFAULT, steps, 0.25, "sgd", 256, 64, 0);
                String text = Corpora.builtIn();
                if (text.getBytes(StandardCharsets.UTF_8).length > TunedLensKind.bytesToRead(p)) {
                    throw new IllegalStateException("a run would read only part of the built-in corpus: read it as Corpora.read does");
                }
                CorpusChunks chunks = TunedLensKind.chunks(m, p, text);
                try (TunedLens lens = new TunedLens(m, chunks, TunedLensKind.training(p))) {
                    while (!lens.finished()) {
                        lens.step();
                    }
                    TunedLens.Evaluation e = lens.evaluate();
                    out.append(row(steps, "logit lens", e.klLogit())).append(row(steps, "tuned lens", e.klTuned()));
                    System.out.printf("%d steps: logit %s%n          tuned %s%n", steps, Arrays.toString(e.klLogit()),
                            Arrays.toString(e.klTuned()));
                }
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, out);
        System.out.println(out);
    }

    /** Three significant digits, trailing zeros kept (12.0), as the README quotes them. */
    private static String row(int steps, String decoder, double[] kl) {
        String layers = Arrays.stream(kl).mapToObj(TunedLensFigures::figure).collect(Collectors.joining(", "));
        return "| " + steps + " | " + decoder + " | " + layers + " | " + figure(Arrays.stream(kl).average().orElseThrow()) + " |\n";
    }

    private static String figure(double x) {
        return x == 0 ? "0" : new java.math.BigDecimal(x).round(new java.math.MathContext(3)).toPlainString();
    }
}
