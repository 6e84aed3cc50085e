"""Goldens for activation patching (issue 24, item 3), from the definition, independent of lensboard's Java code.

For each model and prompt pair (token ids, so no tokenizer is involved) and each site, every cell is its own forward
pass of the corrupted prompt, in float64, with one activation replaced by the clean run's:
  resid_pre / attn_out / mlp_out   block l's residual stream entering it / its attention output / its MLP output,
                                   at one position
  head                             block l's head h output z_h . W_O[h] (its d_head rows of the output projection),
                                   at every position; the attention output is then sum_h result_h + b_O
  m = logit(answer) - logit(wrong) at the last position; normalized = (m - m_corrupted) / (m_clean - m_corrupted)
Weights are read from the fixture's model.safetensors by float64_golden.py's reader (F32 widened exactly).

Run from the repository root (needs python3-torch, Debian's package is fine):
  /usr/bin/python3 src/test/python/patching_golden.py ../shared/fixtures src/test/resources/golden-patching
"""
import json
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from float64_golden import causal_softmax, gelu_new, layer_norm, read_safetensors, rms_norm, rotate_half  # noqa: E402

SITES = ["resid_pre", "attn_out", "mlp_out", "head"]

# "The cat was happy. The cat" / "The dog was happy. The dog"; answer " was", wrong " is" (GPT-2) and, for
# stories260K (which spells both animals in two pieces), answer "▁was" (286), wrong "▁He" (346).
CASES = {
    "gpt2-tiny": dict(clean=[464, 3797, 373, 3772, 13, 383, 3797], corrupted=[464, 3290, 373, 3772, 13, 383, 3290],
                      answer=373, wrong=318),
    "stories260K/hf": dict(clean=[1, 291, 280, 294, 286, 393, 426, 291, 280, 294],
                           corrupted=[1, 291, 400, 428, 286, 393, 426, 291, 400, 428], answer=286, wrong=346),
}


def gpt2(w, cfg, ids, hook):
    """Logits [T, V] of the GPT-2 forward pass; hook(name, l, x) returns the activation to go on with."""
    d, heads = cfg["n_embd"], cfg["n_head"]
    dh = d // heads
    eps = cfg["layer_norm_epsilon"]
    t = len(ids)
    h = w["wte.weight"][ids] + w["wpe.weight"][:t]
    for l in range(cfg["n_layer"]):
        p = "h.%d." % l
        h = hook("resid_pre", l, h)
        x = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(t, heads, dh).transpose(0, 1) for i in range(3))
        z = causal_softmax(q @ k.transpose(1, 2) / math.sqrt(dh)) @ v  # [heads, T, dh]
        w_o = w[p + "attn.c_proj.weight"].reshape(heads, dh, d)  # W_O[h]: rows h*dh .. (h+1)*dh - 1
        result = hook("head", l, torch.einsum("htk,hkd->thd", z, w_o))  # [T, heads, d]
        attn_out = hook("attn_out", l, result.sum(1) + w[p + "attn.c_proj.bias"])
        h = h + attn_out
        x = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        mlp_out = gelu_new(x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] \
            + w[p + "mlp.c_proj.bias"]
        h = h + hook("mlp_out", l, mlp_out)
    return layer_norm(h, w["ln_f.weight"], w["ln_f.bias"], eps) @ w["wte.weight"].T


def llama(w, cfg, ids, hook):
    """Logits [T, V] of the Llama forward pass (grouped-query attention, rotate-half RoPE, tied or own lm_head)."""
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = d // heads
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    t = len(ids)
    inv_freq = torch.tensor([theta ** (-2.0 * i / dh) for i in range(dh // 2)])
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(angles).repeat(1, 2), torch.sin(angles).repeat(1, 2)
    h = w["model.embed_tokens.weight"][ids]
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        h = hook("resid_pre", l, h)
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, dh).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = heads // kv
        z = torch.stack([causal_softmax((q[i] @ k[i // group].T / math.sqrt(dh))[None])[0] @ v[i // group]
                         for i in range(heads)])  # [heads, T, dh]
        w_o = w[p + "self_attn.o_proj.weight"].T.reshape(heads, dh, d)
        result = hook("head", l, torch.einsum("htk,hkd->thd", z, w_o))
        h = h + hook("attn_out", l, result.sum(1))  # Llama has no b_O
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = x @ w[p + "mlp.gate_proj.weight"].T
        mlp_out = (gate * torch.sigmoid(gate) * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        h = h + hook("mlp_out", l, mlp_out)
    unembed = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return rms_norm(h, w["model.norm.weight"], eps) @ unembed.T


def metric(logits, case):
    return (logits[-1, case["answer"]] - logits[-1, case["wrong"]]).item()


def golden(fixtures, model, case):
    cfg = json.loads((fixtures / model / "config.json").read_text())
    w = read_safetensors(fixtures / model / "model.safetensors")
    forward = gpt2 if cfg["model_type"] == "gpt2" else llama
    layers = cfg.get("n_layer", cfg.get("num_hidden_layers"))
    heads = cfg.get("n_head", cfg.get("num_attention_heads"))

    clean_acts = {}

    def record(name, l, x):
        clean_acts[(name, l)] = x.clone()
        return x

    m_clean = metric(forward(w, cfg, case["clean"], record), case)
    m_corrupted = metric(forward(w, cfg, case["corrupted"], lambda name, l, x: x), case)
    out = {"model": model, "clean": case["clean"], "corrupted": case["corrupted"], "answer": case["answer"],
           "wrong": case["wrong"], "clean_metric": m_clean, "corrupted_metric": m_corrupted, "grids": {}}
    for site in SITES:
        columns = heads if site == "head" else len(case["clean"])
        grid = []
        for layer in range(layers):
            row = []
            for c in range(columns):
                def patch(name, l, x, site=site, layer=layer, c=c):
                    if name != site or l != layer:
                        return x
                    x = x.clone()
                    if site == "head":
                        x[:, c, :] = clean_acts[(name, l)][:, c, :]  # head c at every position
                    else:
                        x[c] = clean_acts[(name, l)][c]
                    return x

                row.append(metric(forward(w, cfg, case["corrupted"], patch), case))
            grid.append(row)
        out["grids"][site] = grid
    return out


def main():
    fixtures, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for model, case in CASES.items():
        g = golden(fixtures, model, case)
        g["source"] = "src/test/python/patching_golden.py (independent float64 PyTorch %s)" % torch.__version__
        (out / (model.split("/")[0] + ".json")).write_text(json.dumps(g, indent=1) + "\n")


if __name__ == "__main__":
    main()
