"""Per-cell wall times of an autograded notebook (nbclient records them in cell metadata).

    python tools/cell_timings.py autograded/<student>/<assignment>/<notebook>.ipynb

Prints each code cell's time, the total, and the share of hidden-test cells (grade cells whose
grade_id starts with test_ and that call the grader).
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from grader_tests.framework.reports.class_report import execution_seconds as seconds  # noqa: E402,F401


def main(path):
    nb = json.load(open(path))
    total = hidden = 0.0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        t = seconds(cell["metadata"])
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        src = "".join(cell["source"])
        is_hidden = gid.startswith("test_") and "grader_tests" in src
        total += t
        hidden += t if is_hidden else 0.0
        print(f"{t:7.2f} s  {gid}{'  (hidden test)' if is_hidden else ''}")
    print(f"{total:7.2f} s  all cells; hidden tests {hidden:.2f} s ({hidden / max(total, 1e-9):.0%})")


if __name__ == "__main__":
    main(sys.argv[1])
