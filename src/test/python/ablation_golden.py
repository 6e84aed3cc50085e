"""Goldens for the ablated logit lens (issue 24 item 4), independent of lensboard's Java code.

GPT-2 and Llama written from the papers' definitions, every weight read from the fixture's model.safetensors (F32,
parsed here with json + struct) and widened exactly to float64. Each block's attention output is computed as
TransformerLens's hook_result, one vector per head and position: result[h] = z_h @ W_O[h] (the head's d_head rows of
the output projection), hook_attn_out = sum_h result[h] + b_O. Ablation replaces
  blocks.{l}.hook_mlp_out             by 0 (zero) or its mean over the prompt's positions (mean),
  blocks.{l}.hook_attn_out            likewise,
  blocks.{l}.attn.hook_result.{h}     head h's result likewise, its mean taken per head,
the means from the clean (unablated) pass on the same prompt, and runs the rest of the model from there.

The lens decodes every residual stream r_l (l = 0: entering block 0; l >= 1: after block l) as
softmax(final_norm(r_l) W_U); for each model, mode and row it writes
  log_prob_next[l][i]  log p_l(ids[i + 1]) at positions i = 0..T-2
  entropy[l][i]        -sum_v p_l(v) log p_l(v) at every position
for the prompt and ids of the fixture's golden/prompt0.json.

Run from the repository root with Debian's torch:
  /usr/bin/python3 src/test/python/ablation_golden.py ../shared/fixtures src/test/resources/golden-ablation
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)

# golden file name -> (fixture, the components ablated together)
CASES = {
    "gpt2-tiny": ("gpt2-tiny", ["blocks.0.hook_attn_out", "blocks.1.hook_mlp_out", "blocks.2.attn.hook_result.1"]),
    "stories260K/hf": ("stories260K/hf", ["blocks.1.attn.hook_result.3", "blocks.2.hook_mlp_out", "blocks.3.hook_attn_out"]),
}


def read_safetensors(path):
    """Every tensor of an F32 safetensors file as a float64 torch tensor, by name."""
    raw = Path(path).read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_len])
    data = raw[8 + header_len:]
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name + " is " + meta["dtype"]
        start, end = meta["data_offsets"]
        values = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32)
        out[name] = values.to(torch.float64).reshape(meta["shape"])
    return out


def parse(component):
    """blocks.{l}.hook_mlp_out | blocks.{l}.hook_attn_out | blocks.{l}.attn.hook_result.{h} -> (l, kind, h)."""
    parts = component.split(".")
    l = int(parts[1])
    if parts[2] == "attn":
        return l, "result", int(parts[4])
    return l, parts[2][len("hook_"):], None


class Ablator:
    """At each hook, the activation the pass goes on with, recording the clean activations it sees."""

    def __init__(self, components, mode, means):
        self.removed = [parse(c) for c in components]
        self.mode = mode
        self.means = means  # (l, kind) -> mean over positions of the clean activation; None for the clean pass
        self.seen = {}

    def __call__(self, l, kind, a):
        self.seen[(l, kind)] = a
        if self.means is None:
            return a
        a = a.clone()
        for (rl, rkind, h) in self.removed:
            if rl != l or rkind != kind:
                continue
            replacement = torch.zeros_like(a) if self.mode == "zero" else self.means[(l, kind)].expand_as(a)
            if h is None:
                a = replacement.clone()
            else:
                a[:, h, :] = replacement[:, h, :]  # result is [T, heads, d]
        return a


def causal_softmax(scores):
    t = scores.shape[-1]
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    return torch.softmax(scores.masked_fill(future, -math.inf), dim=-1)


def attention_out(z, w_o, b_o, heads, l, hook):
    """z [T, heads * dh] (head-major), W_O [heads * dh, d]: per-head results through the hook, summed, + b_O."""
    t, d = z.shape[0], w_o.shape[1]
    dh = w_o.shape[0] // heads
    result = torch.einsum("thk,hkd->thd", z.reshape(t, heads, dh), w_o.reshape(heads, dh, d))
    out = hook(l, "result", result).sum(1)
    if b_o is not None:
        out = out + b_o
    return hook(l, "attn_out", out)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


def gpt2(w, cfg, ids, hook):
    d, heads = cfg["n_embd"], cfg["n_head"]
    dh = d // heads
    eps = cfg["layer_norm_epsilon"]
    t = len(ids)
    h = w["wte.weight"][ids] + w["wpe.weight"][:t]
    residuals = [h]
    for l in range(cfg["n_layer"]):
        p = "h.%d." % l
        x = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(t, heads, dh).transpose(0, 1) for i in range(3))
        z = (causal_softmax(q @ k.transpose(1, 2) / math.sqrt(dh)) @ v).transpose(0, 1).reshape(t, d)
        h = h + attention_out(z, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"], heads, l, hook)
        x = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        mlp = gelu_new(x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] \
            + w[p + "mlp.c_proj.bias"]
        h = h + hook(l, "mlp_out", mlp)
        residuals.append(h)
    decode = lambda r: layer_norm(r, w["ln_f.weight"], w["ln_f.bias"], eps) @ w["wte.weight"].T
    return residuals, decode


def rms_norm(x, g, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * g


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def llama(w, cfg, ids, hook):
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = d // heads
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    t = len(ids)
    inv_freq = torch.tensor([theta ** (-2.0 * i / dh) for i in range(dh // 2)])
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(angles).repeat(1, 2), torch.sin(angles).repeat(1, 2)
    h = w["model.embed_tokens.weight"][ids]
    residuals = [h]
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, dh).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = heads // kv
        z = torch.cat([causal_softmax((q[i] @ k[i // group].T / math.sqrt(dh))[None])[0] @ v[i // group]
                       for i in range(heads)], dim=-1)
        h = h + attention_out(z, w[p + "self_attn.o_proj.weight"].T, None, heads, l, hook)
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = x @ w[p + "mlp.gate_proj.weight"].T
        mlp = (gate * torch.sigmoid(gate) * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        h = h + hook(l, "mlp_out", mlp)
        residuals.append(h)
    w_u = w.get("lm_head.weight", w["model.embed_tokens.weight"])  # tied where there is no lm_head
    decode = lambda r: rms_norm(r, w["model.norm.weight"], eps) @ w_u.T
    return residuals, decode


def lens(residuals, decode, ids):
    rows = []
    for r in residuals:
        lp = torch.log_softmax(decode(r), dim=-1)
        rows.append({
            "log_prob_next": [lp[i, ids[i + 1]].item() for i in range(len(ids) - 1)],
            "entropy": (-(lp.exp() * lp).sum(-1)).tolist(),
        })
    return rows


def golden(fixtures, name, components):
    cfg = json.loads((fixtures / name / "config.json").read_text())
    w = read_safetensors(fixtures / name / "model.safetensors")
    prompt = json.loads((fixtures / name / "golden" / "prompt0.json").read_text())
    ids = prompt["ids"]
    forward = gpt2 if cfg.get("model_type") == "gpt2" else llama
    clean = Ablator(components, "zero", None)
    out = {"model": name, "prompt": prompt["prompt"], "ids": ids, "ablate": components,
           "lens": {"none": lens(*forward(w, cfg, ids, clean), ids)}}
    means = {key: a.mean(0, keepdim=True) for key, a in clean.seen.items()}
    for mode in ("zero", "mean"):
        out["lens"][mode] = lens(*forward(w, cfg, ids, Ablator(components, mode, means)), ids)
    return out


def main():
    fixtures, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    for key, (name, components) in CASES.items():
        g = golden(fixtures, name, components)
        path = target / (key.split("/")[0] + ".json")
        path.write_text(json.dumps(g, indent=1) + "\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
