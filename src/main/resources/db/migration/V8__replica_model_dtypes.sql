-- A replica holds a model warm in one precision: a run claims it as warm only in the run's own dtype (a bfloat16
-- copy is no use to a float32 run). The table is rewritten every heartbeat, so it is simply made anew; the default
-- lets a replica still on the previous version report its models (which it loads in float32 unless asked otherwise).
DROP TABLE replica_models;
CREATE TABLE replica_models (
    replica VARCHAR     NOT NULL,
    model   VARCHAR     NOT NULL,
    dtype   VARCHAR(16) DEFAULT 'float32' NOT NULL,
    PRIMARY KEY (replica, model, dtype)
);
