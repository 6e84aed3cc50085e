-- Each stored lens's ablation (issue 24 item 4): 'mode:component,…' (zero or mean; blocks.{l}.hook_mlp_out,
-- blocks.{l}.hook_attn_out, blocks.{l}.attn.hook_result.{h}), or '' for the plain pass; ablation_b is a comparison's
-- side B. Analyses stored before ablations are plain ones.
ALTER TABLE analyses ADD COLUMN ablation VARCHAR DEFAULT '' NOT NULL;
ALTER TABLE analyses ADD COLUMN ablation_b VARCHAR;
UPDATE analyses SET ablation_b = '' WHERE model_b IS NOT NULL;
