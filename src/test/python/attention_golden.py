"""Attention-pattern goldens for lensboard's GET /api/attention (issue 24, item 1).

blocks.{l}.attn.hook_pattern[h, q, k] = softmax_k( q_h(x_q) . k_h(x_k) / sqrt(d_head) ), keys k > q excluded (weight
exactly 0), computed here from the definitions in float64 PyTorch, independent of lensboard's Java code. The weights are
read from the fixture's model.safetensors (F32, exactly widened); Llama's grouped-query attention is written out: query
head h reads key/value head h // (n_heads / n_kv_heads). As a check of this script itself, the residual stream it
computes after the last block is compared with the fixture's own golden (prompt*.json, from Hugging Face transformers).

For each model and each of two fixture prompts (with the fixture's token ids, so no tokenizer runs here) it writes
golden-attention/<model>-<prompt>.json: {"model","prompt","ids","layers","heads","patterns":[L][H][T][T]}.

Run from the repository root with Debian's torch (/usr/bin/python3, python3-torch):
  /usr/bin/python3 src/test/python/attention_golden.py ../shared/fixtures src/test/resources/golden-attention
"""
import json
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from float64_golden import causal_softmax, layer_norm, read_safetensors, rms_norm, rotate_half  # noqa: E402

torch.set_default_dtype(torch.float64)

PROMPTS = ["prompt0", "prompt1"]


def gpt2_patterns(w, cfg, ids):
    """Every block's pattern [heads, T, T] and the last residual stream (GPT-2, Radford et al. 2019)."""
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    dh, t = d // heads, len(ids)
    h = w["wte.weight"][ids] + w["wpe.weight"][:t]
    patterns = []
    for l in range(cfg["n_layer"]):
        p = "h.%d." % l
        x = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: [in, out]
        q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(t, heads, dh).transpose(0, 1) for i in range(3))
        a = causal_softmax(q @ k.transpose(1, 2) / math.sqrt(dh))
        patterns.append(a)
        h = h + (a @ v).transpose(0, 1).reshape(t, d) @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        x = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        f = x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]
        f = 0.5 * f * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (f + 0.044715 * f ** 3)))
        h = h + f @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    return patterns, h


def llama_patterns(w, cfg, ids):
    """Every block's pattern [heads, T, T] and the last residual stream (Llama with RoPE and grouped-query attention)."""
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh, t, eps = d // heads, len(ids), cfg["rms_norm_eps"]
    inv_freq = torch.tensor([cfg["rope_theta"] ** (-2.0 * i / dh) for i in range(dh // 2)])
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(angles).repeat(1, 2), torch.sin(angles).repeat(1, 2)
    h = w["model.embed_tokens.weight"][ids]
    patterns = []
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, dh).transpose(0, 1)
        k = (x @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        group = heads // kv
        a = torch.stack([causal_softmax((q[i] @ k[i // group].T / math.sqrt(dh))[None])[0] for i in range(heads)])
        patterns.append(a)
        z = torch.cat([a[i] @ v[i // group] for i in range(heads)], dim=-1)
        h = h + z @ w[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = x @ w[p + "mlp.gate_proj.weight"].T
        h = h + (gate * torch.sigmoid(gate) * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    return patterns, h


MODELS = {"gpt2-tiny": ("gpt2-tiny", gpt2_patterns), "llama-tiny": ("llama-tiny", llama_patterns),
          "stories260K": ("stories260K/hf", llama_patterns)}


def main():
    fixtures, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for model, (folder, forward) in MODELS.items():
        cfg = json.loads((fixtures / folder / "config.json").read_text())
        w = read_safetensors(fixtures / folder / "model.safetensors")
        for name in PROMPTS:
            fixture = json.loads((fixtures / folder / "golden" / (name + ".json")).read_text())
            patterns, last = forward(w, cfg, fixture["ids"])
            check = (last - torch.tensor(fixture["residuals"][-1])).abs().max().item()
            assert check < 1e-4, "%s %s: the last residual is %g off the fixture's golden" % (model, name, check)
            (out / ("%s-%s.json" % (model, name))).write_text(json.dumps({
                "model": model, "prompt": fixture["prompt"], "ids": fixture["ids"],
                "layers": len(patterns), "heads": patterns[0].shape[0],
                "patterns": [[[[round(v, 9) for v in row] for row in head] for head in p.tolist()] for p in patterns],
                "source": "src/test/python/attention_golden.py (independent float64 PyTorch %s); the last residual "
                          "within %.1e of the fixture's golden" % (torch.__version__, check),
            }, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
