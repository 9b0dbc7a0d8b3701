"""Judge of the toy table: the logits have shape (B, classes)."""
GIVEN = "import torch\nimport torch.nn as nn\n"


def given_source(unit):
    return GIVEN


def judge_aspect(unit, aspect, infos, arrays, devices):
    return None if infos and infos[0].get("shape") == [5, 2] else "wrong logits shape"
