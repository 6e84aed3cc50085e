package io.lensboard.storage;

import io.lensboard.Problem;

/**
 * An upload that would take a store past its quota (409: the store's state, not the request, is what must change).
 * The message names what is stored, the limit that is reached, and the two ways out: delete something or raise
 * the setting.
 */
public class QuotaExceededException extends Problem {
    /**
     * {@code what}: the things counted ("images"); {@code count}, {@code bytes}: what is stored now; {@code adding}:
     * the upload's bytes; {@code where}: the page that lists them; {@code setting}: the env var prefix of the quota.
     */
    public QuotaExceededException(String what, long count, long bytes, long adding, int maxCount, long maxBytes,
                                  String where, String setting) {
        super(409, message(what, count, bytes, adding, maxCount, maxBytes, where, setting));
    }

    private static String message(String what, long count, long bytes, long adding, int maxCount, long maxBytes,
                                  String where, String setting) {
        boolean full = count >= maxCount;
        String limit = full
                ? count + " " + what + " are stored, the most the quota allows (" + maxCount + ")"
                : what + " take " + bytes + " bytes and this one " + adding + ", over the quota of " + maxBytes + " bytes";
        return "storage quota reached: " + limit + "; delete some " + what + " at " + where + " or raise "
                + setting + (full ? "_COUNT" : "_BYTES");
    }
}
