-- Alignment tables: a batch of feature runs laid out as rows (model, layer) by columns (feature).
-- spec holds models, layers, features, the shared params and the run ids [row][column].
CREATE TABLE alignments (
    id         VARCHAR(32) PRIMARY KEY,
    kind       VARCHAR(32) NOT NULL,
    spec       VARCHAR     NOT NULL,
    created_at TIMESTAMP   NOT NULL
);

CREATE INDEX alignments_created ON alignments (created_at);
