package io.lensboard.web.common;

import io.lensboard.LensboardConfig;
import io.lensboard.model.checkpoint.HubClient;
import io.smallrye.config.SmallRyeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Where the server keeps files, taken out of error messages: an absolute path inside a models, lenses or corpora
 * directory, the data directory or the hub cache becomes the path relative to it ("gpt2-tiny/config.json",
 * "lenses/mine/params.pt"), which names the file without telling a client how the server's disk is laid out. Only
 * these roots are rewritten, so what a client typed ("revision '../../x'") and URL paths ("/api/images") stay as they
 * are. Static, as {@link ApiErrors#body} is, so it reads the configuration when asked (errors are rare; the roots are a
 * handful).
 */
final class ServerPaths {
    private ServerPaths() {}

    /** {@code message} with every known root and the separator after it taken out (a root alone: its name). */
    static String relative(String message) {
        if (message == null || message.indexOf('/') < 0) {
            return message;
        }
        String out = message;
        for (String root : roots()) {
            out = Pattern.compile("(?<![\\w.@+/-])" + Pattern.quote(root) + "(/|(?![\\w.@+-]))").matcher(out).replaceAll(m ->
                    m.group(1).isEmpty() ? Matcher.quoteReplacement(Path.of(root).getFileName().toString()) : "");
        }
        return out;
    }

    /** The roots as absolute paths, each also through its symlinks, longest first (a root inside another wins). */
    private static List<String> roots() {
        LensboardConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(LensboardConfig.class);
        List<String> dirs = new ArrayList<>();
        dirs.addAll(config.models().dirs().orElse(List.of("models")));
        dirs.addAll(config.lenses().dirs().orElse(List.of()));
        dirs.addAll(config.corpora().dirs().orElse(List.of()));
        dirs.add(config.dataDir());
        Set<String> roots = new LinkedHashSet<>();
        for (String d : dirs) {
            if (!d.isBlank()) {
                add(roots, Path.of(d.trim()));
            }
        }
        add(roots, HubClient.defaultCache());
        return roots.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    private static void add(Set<String> roots, Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        if (absolute.getNameCount() == 0) {
            return; // "/" is everyone's root
        }
        roots.add(absolute.toString());
        try {
            Optional.of(absolute).filter(Files::exists).map(ServerPaths::real).ifPresent(roots::add);
        } catch (RuntimeException e) {
            // an unreadable root is kept as configured
        }
    }

    private static String real(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toString();
        }
    }
}
