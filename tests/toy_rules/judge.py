"""Judge of the toy table: the logits have shape (B, classes)."""
from grader_tests.framework.contract import verdict as v
from grader_tests.framework.judging.kinds import UnitJudge, judges_for
from toy_rules.probe import PROBES
from toy_rules.units import TABLE

GIVEN = "import torch\nimport torch.nn as nn\n"


def logits_shape(judging, case, device, got, info):
    return None if info.get("shape") == [5, 2] else v.wrong_shape("the logits", info.get("shape"), (5, 2))


JUDGES = judges_for(TABLE, PROBES, **{u.id: UnitJudge(judge_case=logits_shape, given_extra=GIVEN) for u in TABLE.units})
