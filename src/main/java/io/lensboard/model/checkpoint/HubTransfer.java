package io.lensboard.model.checkpoint;

import io.lensboard.model.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One call's downloads (a model's snapshot, a lens's file): the bytes they take against {@link HubLimits}, and every
 * path they made in the cache, so that a download that fails or passes a limit midway takes them all away again and
 * leaves no partial model behind (files cached before the call are kept). Not thread-safe: one call, one thread.
 */
final class HubTransfer {
    private final HubLimits limits;
    private final String what;
    private final Deque<Path> made = new ArrayDeque<>();
    private long bytes;

    /** {@code what}: the repository, as messages name it. */
    HubTransfer(HubLimits limits, String what) {
        this.limits = limits;
        this.what = what;
    }

    /** Before a download: refuses a file whose declared size passes either limit (-1: unknown, checked as it arrives). */
    void expect(String file, long size) {
        if (size > limits.maxFileBytes()) {
            throw tooLarge(file, size + " bytes", "file", limits.maxFileBytes(), "LENSBOARD_HUB_MAX_FILE_BYTES");
        }
        if (size >= 0 && bytes + size > limits.maxTotalBytes()) {
            throw tooLarge(file, size + " bytes after " + bytes + " bytes of other files", "download",
                    limits.maxTotalBytes(), "LENSBOARD_HUB_MAX_TOTAL_BYTES");
        }
    }

    /** As a download receives: {@code done} bytes of {@code file} so far, {@code added} of them just now. */
    void received(String file, long done, long added) {
        bytes += added;
        if (done > limits.maxFileBytes()) {
            throw tooLarge(file, "more than " + limits.maxFileBytes() + " bytes", "file", limits.maxFileBytes(),
                    "LENSBOARD_HUB_MAX_FILE_BYTES");
        }
        if (bytes > limits.maxTotalBytes()) {
            throw tooLarge(file, "past " + limits.maxTotalBytes() + " bytes with the files before it", "download",
                    limits.maxTotalBytes(), "LENSBOARD_HUB_MAX_TOTAL_BYTES");
        }
    }

    /** A resumed download starts again from what it has: those bytes are counted once. */
    void restart(long counted) {
        bytes -= counted;
    }

    /** A path this call made (a blob, its partial file, a snapshot directory, a link), to be removed if it fails. */
    void made(Path path) {
        made.push(path);
    }

    /** Removes what this call made, newest first; what cannot be removed is left (the cache tolerates strays). */
    void undo() {
        while (!made.isEmpty()) {
            Path p = made.pop();
            try {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (var inside = Files.walk(p)) {
                        inside.sorted(java.util.Comparator.reverseOrder()).forEach(HubTransfer::deleteQuietly);
                    }
                } else {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // left behind: a later download of the same file replaces it
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // as above
        }
    }

    private CheckpointException tooLarge(String file, String size, String limit, long max, String setting) {
        return new CheckpointException("the hub's " + file + " of " + what + " is " + size + ", over the " + limit
                + " limit of " + max + " bytes; the download was stopped and removed (raise " + setting + " to allow it)");
    }
}
