package io.lensboard.images;

import io.lensboard.LensboardConfig;
import io.lensboard.Threads;
import io.lensboard.storage.QuotaExceededException;
import io.lensboard.storage.QuotaLock;
import io.lensboard.storage.Storage;
import io.lensboard.storage.StorageUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Uploaded images in SQL (table {@code images}, migrations V6, V10 and V12), bytes as sent and their decoded
 * {@link Pixels}, in the database beside the runs, so a backup of the data directory holds them. An id is a hash of
 * the bytes, so the same upload twice is one row. The images stored are held to a quota ({@code
 * lensboard.images.quota-count} and {@code quota-bytes}, of the bytes as sent), their pixels to one of their own
 * ({@code quota-pixel-bytes}).
 */
@ApplicationScoped
public class ImageStore {
    private static final Logger LOG = Logger.getLogger(ImageStore.class);
    private static final String QUOTA = "images";

    /** An uploaded image as listed: no bytes. */
    public record Listed(String id, String mediaType, int width, int height, long bytes, Instant createdAt) {}

    /** What the uploaded images take, and what they may: files as sent, and their stored pixels. */
    public record Usage(long count, long bytes, int maxCount, long maxBytes, long pixelBytes, long maxPixelBytes) {}

    @Inject
    DataSource db;

    @Inject
    Storage storage;

    @Inject
    LensboardConfig config;

    /**
     * Held while this process counts and inserts, so that its uploads take turns here and never wait on the quota's
     * row lock, whose timeout is short in H2; the row lock makes replicas sharing PostgreSQL take turns too.
     */
    private final Object saving = new Object();

    /**
     * Stores the image with its pixels ({@link Pixels#deflated()}) unless it is stored already; a 409 when it would
     * take the images or their pixels past their quota.
     */
    public void save(StoredImage image, byte[] pixels) {
        Threads.blocking("a database write");
        checkUsable();
        if (find(image.id()).isPresent()) {
            backfill(image.id(), pixels); // one stored before V12 has its pixels now
            return; // the same bytes again cost nothing, quota full or not
        }
        synchronized (saving) {
            try (Connection c = db.getConnection()) {
                QuotaLock.within(c, QUOTA, tx -> insertWithinQuota(tx, image, pixels));
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) { // 23505: stored meanwhile by another replica
                    throw unavailable(e);
                }
            }
        }
    }

    /** In the quota's transaction, holding its row lock: checks what is stored against the quota, inserts. */
    private void insertWithinQuota(Connection c, StoredImage image, byte[] pixels) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM images WHERE id = ?")) {
            st.setString(1, image.id());
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return; // stored while this upload waited for its turn
                }
            }
        }
        Usage used = usage(c);
        if (used.count() + 1 > used.maxCount() || used.bytes() + image.data().length > used.maxBytes()) {
            throw new QuotaExceededException("images", used.count(), used.bytes(), image.data().length, used.maxCount(),
                    used.maxBytes(), "/images (DELETE /api/images/{id})", "LENSBOARD_IMAGE_QUOTA");
        }
        if (used.pixelBytes() + pixels.length > used.maxPixelBytes()) {
            throw ImageProblem.pixelQuota("storage quota reached: the images' decoded pixels take " + used.pixelBytes()
                    + " bytes and this one's " + pixels.length + ", over the quota of " + used.maxPixelBytes() + " bytes; "
                    + "delete some images at /images (DELETE /api/images/{id}) or raise LENSBOARD_IMAGE_QUOTA_PIXEL_BYTES");
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO images (id, media_type, width, height, data, bytes, "
                + "created_at, pixels, pixel_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, image.id());
            st.setString(2, image.mediaType());
            st.setInt(3, image.width());
            st.setInt(4, image.height());
            st.setBytes(5, image.data());
            st.setLong(6, image.data().length);
            st.setTimestamp(7, Timestamp.from(Instant.now()));
            st.setBytes(8, pixels);
            st.setLong(9, pixels.length);
            st.executeUpdate();
        }
    }

    /** Deletes an uploaded image; false when there was none by that id. */
    public boolean delete(String id) {
        Threads.blocking("a database write");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement("DELETE FROM images WHERE id = ?")) {
            st.setString(1, id);
            return st.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The newest {@code limit} uploaded images, newest first, without their bytes. */
    public List<Listed> list(int limit) {
        Threads.blocking("a database read");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT id, media_type, width, height, bytes, created_at FROM images ORDER BY created_at DESC, id LIMIT ?")) {
            st.setInt(1, limit);
            List<Listed> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Listed(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getLong(5),
                            rs.getTimestamp(6).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    public Usage usage() {
        Threads.blocking("a database read");
        checkUsable();
        try (Connection c = db.getConnection()) {
            return usage(c);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private Usage usage(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT COUNT(*), COALESCE(SUM(bytes), 0), COALESCE(SUM(pixel_bytes), 0) FROM images");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            LensboardConfig.Images quota = config.images();
            return new Usage(rs.getLong(1), rs.getLong(2), quota.quotaCount(), quota.quotaBytes().asLongValue(), rs.getLong(3),
                    quota.quotaPixelBytes().asLongValue());
        }
    }

    public Optional<StoredImage> find(String id) {
        Threads.blocking("a database read");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT id, media_type, width, height, data FROM images WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(new StoredImage(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4),
                        rs.getBytes(5))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * The image's stored pixels; none when there is no such image or it was stored before V12 and not used since.
     * Pixels that do not inflate to the image's size (a damaged row) are forgotten, so that the caller decodes the
     * file and stores them again.
     */
    Optional<Pixels> pixels(String id) {
        Threads.blocking("a database read");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT width, height, pixels FROM images WHERE id = ? AND pixels IS NOT NULL")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(Pixels.inflate(rs.getInt(1), rs.getInt(2), rs.getBytes(3)));
                } catch (IllegalStateException damaged) {
                    LOG.warnf("image %s: %s; it is decoded again", id, damaged.getMessage());
                    forgetPixels(c, id);
                    return Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static void forgetPixels(Connection c, String id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE images SET pixels = NULL, pixel_bytes = 0 WHERE id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        }
    }

    /**
     * Stores the pixels of an image stored before V12 (its first use decoded it). Outside the pixel quota: the image
     * was accepted already, and its pixels, bounded by the pixel limit, count against the uploads after it.
     */
    void backfill(String id, byte[] pixels) {
        Threads.blocking("a database write");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "UPDATE images SET pixels = ?, pixel_bytes = ? WHERE id = ? AND pixels IS NULL")) {
            st.setBytes(1, pixels);
            st.setLong(2, pixels.length);
            st.setString(3, id);
            st.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** The data directory that could not be opened at start makes uploads a 503 with the reason, as runs are. */
    private void checkUsable() {
        storage.require("images");
    }

    private static StorageUnavailableException unavailable(SQLException e) {
        LOG.warnf("image store: %s", e.getMessage());
        return new StorageUnavailableException("the image store cannot be written or read just now (is the disk full?); "
                + "what is stored is kept: try again shortly");
    }
}
