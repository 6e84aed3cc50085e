package io.lensboard.images;

import io.lensboard.Threads;
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
 * Uploaded images in SQL (table {@code images}, migration V6), bytes as sent, in the database beside the runs, so a
 * backup of the data directory holds them. An id is a hash of the bytes, so the same upload twice is one row.
 */
@ApplicationScoped
public class ImageStore {
    private static final Logger LOG = Logger.getLogger(ImageStore.class);

    @Inject
    DataSource db;

    @Inject
    Storage storage;

    public void save(StoredImage image) {
        Threads.blocking("a database write");
        checkUsable();
        if (find(image.id()).isPresent()) {
            return;
        }
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO images (id, media_type, width, height, data, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            st.setString(1, image.id());
            st.setString(2, image.mediaType());
            st.setInt(3, image.width());
            st.setInt(4, image.height());
            st.setBytes(5, image.data());
            st.setTimestamp(6, Timestamp.from(Instant.now()));
            st.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) { // 23505: stored meanwhile by another request
                throw unavailable(e);
            }
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

    /** An uploaded image as a list shows it: no bytes. */
    public record Listed(String id, int width, int height, Instant createdAt) {}

    /** The newest {@code limit} uploads, newest first. */
    public List<Listed> recent(int limit) {
        Threads.blocking("a database read");
        checkUsable();
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "SELECT id, width, height, created_at FROM images ORDER BY created_at DESC, id LIMIT ?")) {
            st.setInt(1, limit);
            List<Listed> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Listed(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getTimestamp(4).toInstant()));
                }
            }
            return out;
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
