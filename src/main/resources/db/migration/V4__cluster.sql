-- Several replicas on one database (README "Running a cluster"). Times a replica compares with another's are epoch
-- milliseconds (BIGINT), so replicas in different time zones agree.
-- runs: replica = the replica that ran or runs it (none while queued again); attempts = how many times one started
-- it; lease_until = when its claim lapses unless renewed; queued_at = when it (last) entered the queue;
-- cancel_requested = a cancel asked on another replica than the one running it.
ALTER TABLE runs ADD COLUMN replica VARCHAR;
ALTER TABLE runs ADD COLUMN attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE runs ADD COLUMN lease_until BIGINT;
ALTER TABLE runs ADD COLUMN queued_at BIGINT;
ALTER TABLE runs ADD COLUMN cancel_requested BOOLEAN DEFAULT FALSE NOT NULL;
UPDATE runs SET attempts = 1 WHERE started_at IS NOT NULL;
CREATE INDEX runs_state ON runs (state, created_at);

-- The replicas: each writes its row every heartbeat, with how much of its memory budget is free.
CREATE TABLE replicas (
    id          VARCHAR PRIMARY KEY,
    url         VARCHAR NOT NULL,
    memory_free BIGINT  NOT NULL,
    heartbeat   BIGINT  NOT NULL
);

-- The models each replica holds warm (loaded), rewritten every heartbeat.
CREATE TABLE replica_models (
    replica VARCHAR NOT NULL,
    model   VARCHAR NOT NULL,
    PRIMARY KEY (replica, model)
);
