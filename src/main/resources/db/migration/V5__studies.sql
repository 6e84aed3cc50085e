-- Studies: a batch of runs over the axes models × blocks × lm_head × seeds (issue 13), stored as alignment tables are.
-- spec holds each axis's values under its name, the shared params and the run ids cell by cell.
CREATE TABLE studies (
    id         VARCHAR(32) PRIMARY KEY,
    kind       VARCHAR(32) NOT NULL,
    spec       VARCHAR     NOT NULL,
    created_at TIMESTAMP   NOT NULL
);

CREATE INDEX studies_created ON studies (created_at);
