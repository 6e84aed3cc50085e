-- Stored lens analyses: what a short link (/lens/{id}, /compare/{id}) stands for, so that it reopens after a
-- restart and a page's fragment and stream URLs never carry the prompt. The id is a hash of the other columns
-- (the same analysis asked twice is stored once). kind lens: model only; kind compare: model (A) and model_b (B).
CREATE TABLE analyses (
    id         VARCHAR(32)  PRIMARY KEY,
    kind       VARCHAR(16)  NOT NULL,
    model      VARCHAR(512) NOT NULL,
    model_b    VARCHAR(512),
    prompt     VARCHAR      NOT NULL,
    metric     VARCHAR(16)  NOT NULL,
    topk       INTEGER      NOT NULL,
    sub        BOOLEAN      NOT NULL,
    created_at TIMESTAMP    NOT NULL
);
