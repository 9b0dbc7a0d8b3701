"""Probe of the toy table: build the module, run it on one input, record the logits' shape."""
import torch

from grader_tests.framework.sandboxed.kinds import UnitProbe, probes_for
from toy_rules.units import TABLE


def logits_shape(probe, aspect, case, device):
    torch.manual_seed(0)
    out = probe.obj(3, 4, 2)(torch.randn(5, 6, 3))
    return {"out": out.detach().numpy()}, {"shape": list(out.shape)}


PROBES = probes_for(TABLE, **{u.id: UnitProbe(cases={"forward": ["one input"]}, probe_case=logits_shape)
                              for u in TABLE.units})
