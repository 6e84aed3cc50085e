-- Runs that go on after their replica died (README "Running a cluster").
-- step: the run step whose events these are (0: the job's opening; none for state events). A step's events are stored
-- in one transaction, so the highest step stored is whole: a run taken over by another replica emits nothing up to it.
ALTER TABLE run_events ADD COLUMN step INTEGER;

-- A running run's checkpoint: what its job needs to go on after step `step` (written after that step's events). One
-- row per run, replaced at each checkpoint and deleted when the run ends; saved_at in epoch milliseconds.
CREATE TABLE run_checkpoints (
    run_id   VARCHAR(32) PRIMARY KEY REFERENCES runs (id),
    step     INTEGER     NOT NULL,
    state    BYTEA       NOT NULL,
    saved_at BIGINT      NOT NULL
);
