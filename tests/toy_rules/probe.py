"""Probe of the toy table: build the module, run it on one input, return the logits."""
import torch


def run_probes(unit, cls, aspects, devices):
    torch.manual_seed(0)
    module = cls(3, 4, 2)
    out = module(torch.randn(5, 6, 3))
    return {"forward": [{"shape": list(out.shape)}]}, {"forward/0/out": out.detach().numpy()}
