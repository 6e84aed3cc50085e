package io.lensboard.model.checkpoint;

import io.lensboard.model.InvalidModelIdException;
import io.lensboard.model.UnknownLensException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Tuned lens ids: {@code NAME}, a lens directory directly under one of the lens directories (the first wins), or
 * {@code hf:[spaces/]OWNER/REPO/PATH[@REVISION]}, the lens directory PATH of a hub repository, downloaded through the
 * hub client. {@code AlignmentResearch/tuned-lens}, where the published lenses are (under {@code lens/<model>}), is a
 * Space; {@code spaces/} names any other.
 */
public final class LensCatalog {
    private static final Pattern HUB = Pattern.compile("hf:(spaces/)?([^/@]+/[^/@]+)/([^@]+?)/?(?:@(.+))?");
    private static final String PUBLISHED = "AlignmentResearch/tuned-lens";
    private static final String FORMS = "write NAME (GET /api/lenses lists them) or hf:[spaces/]<owner>/<repo>/<path/to/lens>[@<revision>]";

    public record LocalLens(String id, Path path) {}

    /** A hub lens id's parts. */
    private record HubLens(String repo, boolean space, String dir, String revision) {}

    private final List<Path> dirs;
    private final HubClient hub;

    public LensCatalog(List<Path> dirs, HubClient hub) {
        this.dirs = List.copyOf(dirs);
        this.hub = hub;
    }

    public List<LocalLens> local() {
        Map<String, LocalLens> lenses = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> children = Files.list(dir)) {
                children.sorted().filter(Files::isDirectory).filter(TunedLensFiles::isLensDirectory)
                        .forEach(c -> lenses.putIfAbsent(c.getFileName().toString(), new LocalLens(c.getFileName().toString(), c)));
            } catch (IOException e) {
                // an unreadable directory lists nothing, as for models
            }
        }
        return new ArrayList<>(lenses.values());
    }

    /** The lens's directory, downloading a hub lens's config.json and translators first. */
    public Path locate(String id) throws IOException {
        if (id == null || id.isBlank()) {
            throw new InvalidModelIdException("no tuned lens given: " + FORMS);
        }
        if (id.length() > HubNames.MAX_ID) {
            throw new InvalidModelIdException("the lens id is " + id.length() + " characters long; ids have at most " + HubNames.MAX_ID);
        }
        if (!id.startsWith("hf:")) {
            return local().stream().filter(l -> l.id().equals(id)).map(LocalLens::path).findFirst()
                    .orElseThrow(() -> new UnknownLensException("unknown tuned lens '" + id + "'; known: "
                            + local().stream().map(LocalLens::id).toList() + "; or " + FORMS));
        }
        HubLens h = parse(id);
        try {
            Path config = hub.file(h.repo, h.space, h.revision, h.dir + "/config.json", (f, done, total) -> {});
            try {
                hub.file(h.repo, h.space, h.revision, h.dir + "/" + TunedLensFiles.PARAMS_PT, (f, done, total) -> {});
            } catch (HubClient.MissingFileException noPt) {
                hub.file(h.repo, h.space, h.revision, h.dir + "/" + TunedLensFiles.PARAMS_SAFETENSORS, (f, done, total) -> {});
            }
            return config.getParent();
        } catch (HubClient.MissingFileException e) {
            throw new UnknownLensException("the hub has no tuned lens '" + id + "' (" + e.getMessage() + "); published lenses are at hf:"
                    + PUBLISHED + "/lens/<model>, e.g. hf:" + PUBLISHED + "/lens/gpt2");
        }
    }

    private static HubLens parse(String id) {
        Matcher m = HUB.matcher(id);
        if (!m.matches()) {
            throw new InvalidModelIdException("'" + id + "' is not a hub lens id: " + FORMS);
        }
        String problem = HubNames.repoProblem(m.group(2));
        if (problem == null) {
            problem = HubNames.fileProblem(m.group(3) + "/config.json");
        }
        if (problem == null && m.group(4) != null) {
            problem = HubNames.revisionProblem(m.group(4));
        }
        if (problem != null) {
            throw new InvalidModelIdException("the lens id '" + id + "' is not allowed: " + problem + "; " + FORMS);
        }
        return new HubLens(m.group(2), m.group(1) != null || m.group(2).equals(PUBLISHED), m.group(3),
                m.group(4) == null ? "main" : m.group(4));
    }
}
