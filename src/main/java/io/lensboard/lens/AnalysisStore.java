package io.lensboard.lens;

import io.lensboard.Threads;
import io.lensboard.analysis.Ablation;
import io.lensboard.storage.Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Short links' analyses in SQL (table {@code analyses}, migration V3, decoders V7, ablations V9; {@link Storage} migrates at start), plain JDBC
 * like the run store. A link is a hash of its content, so saving the same analysis twice stores one row.
 */
@ApplicationScoped
public class AnalysisStore {
    private static final String COLUMNS = "id, kind, model, model_b, prompt, metric, topk, sub, created_at, decoder, decoder_b, ablation, ablation_b";

    @Inject
    DataSource db;

    @Inject
    Storage storage;

    /**
     * Stores the analysis unless it is stored already (its id is its content's hash, so the key refuses a second row
     * and nothing needs reading first); returns its id. Throws when the database cannot be used.
     */
    public String save(SavedAnalysis a) {
        Threads.blocking("a database write");
        try (Connection c = db.getConnection(); PreparedStatement st = c.prepareStatement(
                "INSERT INTO analyses (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, a.id());
            st.setString(2, a.kind().key());
            st.setString(3, a.model());
            st.setString(4, a.models().size() > 1 ? a.models().get(1) : null);
            st.setString(5, a.prompt());
            st.setString(6, a.metric());
            st.setInt(7, a.topk());
            st.setBoolean(8, a.sub());
            st.setTimestamp(9, Timestamp.from(a.createdAt()));
            st.setString(10, a.decoder(0));
            st.setString(11, a.models().size() > 1 ? a.decoder(1) : null);
            st.setString(12, a.ablation(0).text());
            st.setString(13, a.models().size() > 1 ? a.ablation(1).text() : null);
            st.executeUpdate();
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) { // 23505: stored already (H2 and PostgreSQL alike)
                throw new IllegalStateException("analysis store: " + e.getMessage(), e);
            }
        }
        return a.id();
    }

    public Optional<SavedAnalysis> find(String id) {
        Threads.blocking("a database read");
        storage.require("short links");
        try (Connection c = db.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM analyses WHERE id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(analysis(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("analysis store: " + e.getMessage(), e);
        }
    }

    /** The stored analysis of a kind, or {@link UnknownAnalysisException}. */
    public SavedAnalysis get(String id, SavedAnalysis.Kind kind) {
        return find(id).filter(a -> a.kind() == kind).orElseThrow(() -> new UnknownAnalysisException(id));
    }

    private static SavedAnalysis analysis(ResultSet rs) throws SQLException {
        String b = rs.getString(4);
        List<String> models = b == null ? List.of(rs.getString(3)) : List.of(rs.getString(3), b);
        List<String> decoders = b == null ? List.of(rs.getString(10)) : List.of(rs.getString(10), rs.getString(11));
        List<Ablation> ablations = b == null ? List.of(Ablation.fromText(rs.getString(12)))
                : List.of(Ablation.fromText(rs.getString(12)), Ablation.fromText(rs.getString(13)));
        return new SavedAnalysis(rs.getString(1), SavedAnalysis.Kind.valueOf(rs.getString(2).toUpperCase()), models, decoders,
                rs.getString(5), rs.getString(6), rs.getInt(7), rs.getBoolean(8), rs.getTimestamp(9).toInstant(), ablations);
    }
}
