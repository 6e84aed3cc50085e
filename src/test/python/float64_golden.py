"""Float64 goldens for lensboard's float64 forward pass and input gradient (issue 23, item 3).

An implementation of GPT-2 and Llama written from the papers' definitions (and Hugging Face's checkpoint layout),
independent of lensboard's Java code: every weight is read from the fixture's model.safetensors (F32, parsed here
with json + struct), widened exactly to float64, and everything after that runs in float64 in PyTorch.

For each model and prompt (token ids, so no tokenizer is involved) it writes:
  residuals[l][pos][dim]  l = 0: the residual stream entering block 0 (GPT-2: token + position embedding),
                          l >= 1: the residual stream after block l
  logit_ids, logits[pos][j]  the final logits of the ids in logit_ids (every 499th id: the full vocabulary is 50257
                          wide), and logsumexp[pos] over the full vocabulary
  loss                    the next-token cross-entropy summed over positions 0..T-2:
                          sum_t (logsumexp(z_t) - z_t[ids[t+1]])
  input_gradient[pos][dim] d loss / d e for the input embeddings e = W_E[ids] (before GPT-2's positions)

Run from the repository root (needs python3-torch, Debian's package is fine):
  python3 src/test/python/float64_golden.py ../shared/fixtures src/test/resources/golden64
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)

PROMPTS = {"the-sky": [464, 6766, 318, 4171, 13]}  # "The sky is blue." in the GPT-2 vocabulary
LOGIT_STRIDE = 499


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
        values = torch.frombuffer(bytearray(data[start:end]), dtype=torch.float32)  # little-endian, as the format
        out[name] = values.to(torch.float64).reshape(meta["shape"])  # exact: every float32 is a float64
    return out


def causal_softmax(scores):
    """softmax over keys with key > query excluded (weight exactly 0) for scores [heads, T, T]."""
    t = scores.shape[-1]
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    return torch.softmax(scores.masked_fill(future, -math.inf), dim=-1)


# ---------------------------------------------------------------- GPT-2 (Radford et al. 2019)

def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased, as torch.nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


def gpt2(w, cfg, e):
    """Residual streams and logits for input embeddings e [T, d] (positions are added here)."""
    d, heads = cfg["n_embd"], cfg["n_head"]
    dh = d // heads
    eps = cfg["layer_norm_epsilon"]
    t = e.shape[0]
    h = e + w["wpe.weight"][:t]
    residuals = [h]
    for l in range(cfg["n_layer"]):
        p = "h.%d." % l
        x = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = x @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: [in, out]
        q, k, v = (qkv[:, i * d:(i + 1) * d].reshape(t, heads, dh).transpose(0, 1) for i in range(3))
        a = causal_softmax(q @ k.transpose(1, 2) / math.sqrt(dh)) @ v  # [heads, T, dh]
        z = a.transpose(0, 1).reshape(t, d)
        h = h + z @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        x = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        h = h + gelu_new(x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]) @ w[p + "mlp.c_proj.weight"] \
            + w[p + "mlp.c_proj.bias"]
        residuals.append(h)
    logits = layer_norm(h, w["ln_f.weight"], w["ln_f.bias"], eps) @ w["wte.weight"].T  # tied unembedding
    return residuals, logits


# ---------------------------------------------------------------- Llama (Touvron et al. 2023)

def rms_norm(x, g, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * g


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def llama(w, cfg, e):
    d, heads, kv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    dh = d // heads
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    t = e.shape[0]
    # angle(p, i) = p * theta^(-2i/dh), i < dh/2, each frequency used for dimension i and i + dh/2 (rotate-half)
    inv_freq = torch.tensor([theta ** (-2.0 * i / dh) for i in range(dh // 2)])
    angles = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = torch.cos(angles).repeat(1, 2), torch.sin(angles).repeat(1, 2)  # [T, dh]
    h = e
    residuals = [h]
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        x = rms_norm(h, w[p + "input_layernorm.weight"], eps)
        q = (x @ w[p + "self_attn.q_proj.weight"].T).reshape(t, heads, dh).transpose(0, 1)  # Linear: [out, in]
        k = (x @ w[p + "self_attn.k_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        v = (x @ w[p + "self_attn.v_proj.weight"].T).reshape(t, kv, dh).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = heads // kv
        outs = []
        for head in range(heads):  # query head h reads key/value head h // (heads / kv)
            s = q[head] @ k[head // group].T / math.sqrt(dh)
            outs.append(causal_softmax(s[None])[0] @ v[head // group])
        z = torch.cat(outs, dim=-1)  # [T, heads * dh], head-major
        h = h + z @ w[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, w[p + "post_attention_layernorm.weight"], eps)
        gate = x @ w[p + "mlp.gate_proj.weight"].T
        h = h + (gate * torch.sigmoid(gate) * (x @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        residuals.append(h)
    logits = rms_norm(h, w["model.norm.weight"], eps) @ w["lm_head.weight"].T
    return residuals, logits


MODELS = {
    "gpt2-tiny": (gpt2, "wte.weight"),
    "llama-tiny": (llama, "model.embed_tokens.weight"),
}


def golden(fixtures, model, ids):
    forward, embedding = MODELS[model]
    cfg = json.loads((fixtures / model / "config.json").read_text())
    w = read_safetensors(fixtures / model / "model.safetensors")
    e = w[embedding][ids].clone().requires_grad_(True)
    residuals, logits = forward(w, cfg, e)
    lse = torch.logsumexp(logits, dim=-1)
    loss = sum(lse[t] - logits[t, ids[t + 1]] for t in range(len(ids) - 1))
    loss.backward()
    logit_ids = list(range(0, logits.shape[-1], LOGIT_STRIDE))
    return {
        "model": model,
        "ids": ids,
        "residuals": [r.tolist() for r in residuals],
        "logit_ids": logit_ids,
        "logits": logits[:, logit_ids].tolist(),
        "logsumexp": lse.tolist(),
        "loss": loss.item(),
        "input_gradient": e.grad.tolist(),
    }


def main():
    fixtures, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for model in MODELS:
        for name, ids in PROMPTS.items():
            g = golden(fixtures, model, ids)
            g["source"] = "src/test/python/float64_golden.py (independent float64 PyTorch %s)" % torch.__version__
            (out / ("%s-%s.json" % (model, name))).write_text(json.dumps(g, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
