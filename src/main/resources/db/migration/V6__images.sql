-- Uploaded images (PNG or JPEG as sent), addressed by a hash of their bytes; built-in images are made in code.
CREATE TABLE images (
    id VARCHAR PRIMARY KEY,
    media_type VARCHAR NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
