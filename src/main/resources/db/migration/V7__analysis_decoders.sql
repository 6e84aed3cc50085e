-- Each stored analysis's decoder (issue 14): 'logit' (the final norm and the unembedding as they are) or
-- 'tuned:<lens id>'; decoder_b is a comparison's side B. Analyses stored before decoders are logit-lens ones.
ALTER TABLE analyses ADD COLUMN decoder VARCHAR DEFAULT 'logit' NOT NULL;
ALTER TABLE analyses ADD COLUMN decoder_b VARCHAR;
UPDATE analyses SET decoder_b = 'logit' WHERE model_b IS NOT NULL;
