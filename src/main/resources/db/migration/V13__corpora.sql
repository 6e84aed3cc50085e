-- Uploaded corpora (issue 26 items 7 and 8), until now files in each process's data directory: in the database, so
-- that the name is unique for every replica sharing PostgreSQL (the primary key), an upload checks the quota and
-- inserts in one transaction under the quota's row lock (quota_locks, V10: row 'corpora'), and a corpus uploaded to
-- one replica can be trained on by any. Files left in the data directory's corpora/ are moved in at start.
CREATE TABLE corpora (
    name VARCHAR(100) PRIMARY KEY,
    data BYTEA NOT NULL,
    bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
