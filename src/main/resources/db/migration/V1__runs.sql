-- Runs and their event log. The events are the sampled trajectory and the replay source for viewers.
CREATE TABLE runs (
    id          VARCHAR(32)  PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    model       VARCHAR(512) NOT NULL,
    params      VARCHAR      NOT NULL,
    state       VARCHAR(16)  NOT NULL,
    error       VARCHAR,
    result      VARCHAR,
    created_at  TIMESTAMP    NOT NULL,
    started_at  TIMESTAMP,
    finished_at TIMESTAMP
);

CREATE TABLE run_events (
    run_id VARCHAR(32) NOT NULL REFERENCES runs (id),
    seq    BIGINT      NOT NULL,
    type   VARCHAR(16) NOT NULL,
    data   VARCHAR     NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE INDEX runs_created ON runs (created_at);
