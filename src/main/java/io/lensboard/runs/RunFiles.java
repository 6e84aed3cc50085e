package io.lensboard.runs;

import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.storage.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Files that come with a run's result (a PNG, a safetensors), too large for its JSON: stored under
 * {@code LENSBOARD_DATA_DIR/files} by a hash of their bytes (the same file twice is one file), served at
 * {@code /api/files/{name}}; the result holds that URL. A name is checked against one pattern before it becomes a
 * path, so a request never reaches outside the folder.
 */
@ApplicationScoped
public class RunFiles {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{32}\\.(png|safetensors)");

    private final Path dir;

    @Inject
    RunFiles(LensboardConfig config) {
        this(Path.of(config.dataDir()).toAbsolutePath().resolve("files"));
    }

    /** Files in {@code dir} (tests). */
    public RunFiles(Path dir) {
        this.dir = dir;
    }

    /** Stores the bytes (written to a temporary file, then moved, so a reader never sees half a file); returns the URL. */
    public String save(byte[] bytes, String extension) {
        Threads.blocking("writing a run's file");
        String name = hash(bytes) + "." + extension;
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a run's file is a png or a safetensors, not ." + extension);
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(name);
            if (!Files.exists(file)) {
                Path part = Files.createTempFile(dir, "part-", ".tmp");
                Files.write(part, bytes);
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StorageUnavailableException("a run's file cannot be written to " + dir.getFileName()
                    + " in the data directory (is the disk full?)");
        }
        return "/api/files/" + name;
    }

    /** The file's bytes, or empty for a name that is not one of ours or not stored. */
    public Optional<byte[]> read(String name) {
        Threads.blocking("reading a run's file");
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(dir.resolve(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageUnavailableException("a run's file cannot be read from the data directory: " + e.getMessage());
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
