"""Goldens for direct logit attribution (issue 24, item 2), computed from the definition, independent of lensboard's Java.

GPT-2 and Llama are written out here with each component of the residual stream kept apart: hook_embed, hook_pos_embed
(GPT-2), per block every head's result z_h W_O[h] (W_O[h] the head's d_head rows of the output projection), b_O (GPT-2)
and the MLP's output. Weights are read from the fixture's model.safetensors (float32, widened exactly to float64; the
reader is float64_golden.py's) and everything runs in float64. For a cell (position pos, the residual x after `layer`
blocks) the final norm's scale is frozen at x (TransformerLens's apply_ln_to_stack):
  LayerNorm: N(c) = gamma * (c - mean(c)) / sqrt(var(x) + eps), bias = beta . u
  RMSNorm:   N(c) = w * c / sqrt(mean(x^2) + eps),               bias = 0
  contribution(c) = N(c) . u,  u = W_U[:, token] (- W_U[:, against]);  logit = final_norm(x) W_U [token] (- [against])
and each component's promoted and suppressed tokens are the top-k and bottom-k of N(c) W_U.

Run from the repository root with Debian's torch:
  /usr/bin/python3 src/test/python/attribution_golden.py ../shared/fixtures src/test/resources/golden-attribution
"""
import json
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from float64_golden import causal_softmax, gelu_new, read_safetensors, rotate_half  # noqa: E402

torch.set_default_dtype(torch.float64)

TOPK = 5
# token ids, so that no tokenizer is involved; the Java test checks that its tokenizer gives the same ids
PROMPTS = {
    "gpt2-tiny": ("The cat was happy. The cat", [464, 3797, 373, 3772, 13, 383, 3797]),
    "stories260K/hf": ("The cat was happy. The cat", [1, 291, 280, 294, 286, 393, 426, 291, 280, 294]),
}


def gpt2_components(w, cfg, ids, layers):
    """[(name, layer, head, vector [T, d])] and the residual after `layers` blocks, GPT-2."""
    d, heads = cfg["n_embd"], cfg["n_head"]
    dh = d // heads
    eps = cfg["layer_norm_epsilon"]
    t = len(ids)
    embed, pos_embed = w["wte.weight"][ids], w["wpe.weight"][:t]
    parts = [("hook_embed", None, None, embed), ("hook_pos_embed", None, None, pos_embed)]
    h = embed + pos_embed

    def ln(x, g, b):
        mean = x.mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(((x - mean) ** 2).mean(-1, keepdim=True) + eps) * g + b

    for l in range(layers):
        p = "h.%d." % l
        x = ln(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(t, heads, dh).transpose(0, 1) for i in range(3))
        z = causal_softmax(q @ k.transpose(1, 2) / math.sqrt(dh)) @ v  # [heads, T, dh]
        w_o, b_o = w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"]  # Conv1D: [in, out]
        for head in range(heads):
            parts.append(("blocks.%d.attn.hook_result.%d" % (l, head), l, head, z[head] @ w_o[head * dh:(head + 1) * dh]))
        parts.append(("blocks.%d.attn.b_O" % l, l, None, b_o.expand(t, d)))
        h = h + z.transpose(0, 1).reshape(t, d) @ w_o + b_o
        x = ln(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        mlp = gelu_new(x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] \
            + w[p + "mlp.c_proj.bias"]
        parts.append(("blocks.%d.hook_mlp_out" % l, l, None, mlp))
        h = h + mlp
    norm = {"weight": w["ln_f.weight"], "bias": w["ln_f.bias"], "eps": eps, "centred": True}
    return parts, h, norm, w["wte.weight"].T


def llama_components(w, cfg, ids, layers):
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = d // heads
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    t = len(ids)
    inv_freq = torch.tensor([theta ** (-2.0 * i / dh) for i in range(dh // 2)])
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(angles).repeat(1, 2), torch.sin(angles).repeat(1, 2)
    embed = w["model.embed_tokens.weight"][ids]
    parts = [("hook_embed", None, None, embed)]
    h = embed

    def rms(x, g):
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * g

    for l in range(layers):
        p = "model.layers.%d." % l
        x = rms(h, w[p + "input_layernorm.weight"])
        q = (x @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, dh).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = heads // kv
        w_o = w[p + "self_attn.o_proj.weight"].T  # [heads * dh, d]
        attn = torch.zeros(t, d)
        for head in range(heads):  # query head h reads key/value head h // (heads / kv)
            z = causal_softmax((q[head] @ k[head // group].T / math.sqrt(dh))[None])[0] @ v[head // group]
            result = z @ w_o[head * dh:(head + 1) * dh]
            parts.append(("blocks.%d.attn.hook_result.%d" % (l, head), l, head, result))
            attn = attn + result
        h = h + attn
        x = rms(h, w[p + "post_attention_layernorm.weight"])
        gate = x @ w[p + "mlp.gate_proj.weight"].T
        mlp = (gate * torch.sigmoid(gate) * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        parts.append(("blocks.%d.hook_mlp_out" % l, l, None, mlp))
        h = h + mlp
    unembed = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]  # tied
    norm = {"weight": w["model.norm.weight"], "bias": None, "eps": eps, "centred": False}
    return parts, h, norm, unembed.T


def frozen(c, x, norm):
    """The final norm's linear part on component c with its scale frozen at the residual x."""
    if norm["centred"]:
        scale = torch.sqrt(((x - x.mean()) ** 2).mean() + norm["eps"])
        c = c - c.mean(-1, keepdim=True)
    else:
        scale = torch.sqrt((x * x).mean() + norm["eps"])
    return c / scale * norm["weight"]


def full_norm(x, norm):
    if norm["centred"]:
        return (x - x.mean()) / torch.sqrt(((x - x.mean()) ** 2).mean() + norm["eps"]) * norm["weight"] + norm["bias"]
    return x / torch.sqrt((x * x).mean() + norm["eps"]) * norm["weight"]


def attribution(model, w, cfg, ids, pos, layer, which, against_rank):
    """One cell: token = the lens's top-`which` token there (0 = top-1), against = the top-`against_rank` (None: none)."""
    forward = gpt2_components if cfg["model_type"] == "gpt2" else llama_components
    parts, h, norm, w_u = forward(w, cfg, ids, layer)
    x = h[pos]
    logits = full_norm(x, norm) @ w_u
    order = torch.argsort(logits, descending=True).tolist()
    token = order[which]
    against = None if against_rank is None else order[against_rank]
    u = w_u[:, token] - (0 if against is None else w_u[:, against])
    components = []
    for name, l, head, vector in parts:
        n = frozen(vector[pos], x, norm)
        scores = n @ w_u
        top, bottom = torch.topk(scores, TOPK), torch.topk(scores, TOPK, largest=False)
        components.append({"name": name, "layer": l, "head": head, "contribution": float(n @ u),
                           "promotes": [{"id": int(i), "value": float(v)} for v, i in zip(top.values, top.indices)],
                           "suppresses": [{"id": int(i), "value": float(v)} for v, i in zip(bottom.values, bottom.indices)]})
    bias = 0.0 if norm["bias"] is None else float(norm["bias"] @ u)
    logit = float(logits[token] - (0 if against is None else logits[against]))
    return {"pos": pos, "layer": layer, "token": token, "against": against, "logit": logit, "bias": bias,
            "components": components}


def main():
    fixtures, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for model, (prompt, ids) in PROMPTS.items():
        cfg = json.loads((fixtures / model / "config.json").read_text())
        w = read_safetensors(fixtures / model / "model.safetensors")
        n_layers = cfg.get("n_layer", cfg.get("num_hidden_layers"))
        last = len(ids) - 1
        cells = [(last, n_layers, 0, 1), (last, n_layers, 0, None), (2, 1, 1, None), (last - 1, 0, 0, 2)]
        golden = {"model": model, "prompt": prompt, "ids": ids, "topk": TOPK,
                  "source": "src/test/python/attribution_golden.py (independent float64 PyTorch %s)" % torch.__version__,
                  "cells": [attribution(model, w, cfg, ids, *cell) for cell in cells]}
        name = model.replace("/", "-") + ".json"
        (out / name).write_text(json.dumps(golden, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
