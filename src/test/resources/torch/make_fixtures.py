"""Makes the torch.save fixtures of the tests with PyTorch itself (run here with Debian's python3-torch 1.13.1):

  python3 make_fixtures.py            writes ../lenses/gpt2-tiny/{config.json,params.pt} and mixed.pt, and prints the
                                      sha256 of each tensor's float32 little-endian bytes (TorchSaveTest keeps them)
  python3 make_fixtures.py check F    loads F (a params.pt lensboard wrote) with torch.load and prints its tensors

gpt2-tiny's lens: one affine translator per layer 0..3 (d_model 64, 4 blocks), weights and biases N(0, 0.05^2),
seed 0, the format of the tuned-lens package (config.json + params.pt of the translators' state dict).
mixed.pt: float16 tensors, a transposed (non-contiguous) float32 view and a view at a storage offset.
"""
import hashlib
import json
import os
import sys

import torch


def digest(t):
    return hashlib.sha256(t.detach().float().contiguous().numpy().astype("<f4").tobytes()).hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(0)
    translators = torch.nn.ModuleList([torch.nn.Linear(64, 64, bias=True) for _ in range(4)])
    with torch.no_grad():
        for t in translators:
            t.weight.normal_(0, 0.05)
            t.bias.normal_(0, 0.05)
    lens = os.path.join(here, "..", "lenses", "gpt2-tiny")
    os.makedirs(lens, exist_ok=True)
    torch.save(translators.state_dict(), os.path.join(lens, "params.pt"))
    with open(os.path.join(lens, "config.json"), "w") as f:
        json.dump({"base_model_name_or_path": "gpt2-tiny", "d_model": 64, "num_hidden_layers": 4, "bias": True,
                   "lens_type": "linear_tuned_lens"}, f, indent=2)
    base = torch.arange(12, dtype=torch.float32) / 7
    mixed = {
        "half": (torch.randn(3, 5) * 3).half(),
        "transposed": base[:6].reshape(2, 3).t(),
        "offset": base[4:10].reshape(3, 2),
    }
    torch.save(mixed, os.path.join(here, "mixed.pt"))
    for name, t in list(translators.state_dict().items()) + list(mixed.items()):
        print(name, list(t.shape), t.dtype, digest(t), float(t.flatten()[0]))


def check(path):
    state = torch.load(path)
    for name, t in state.items():
        print(name, list(t.shape), t.dtype, digest(t), float(t.flatten()[0]))


if __name__ == "__main__":
    check(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "check" else main()
