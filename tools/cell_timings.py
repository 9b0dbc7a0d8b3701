"""Per-cell wall times of an autograded notebook (nbclient records them in cell metadata).

    python tools/cell_timings.py autograded/<student>/<assignment>/<notebook>.ipynb

Prints each code cell's time, the total, and the share of hidden-test cells (grade cells whose
grade_id starts with test_ and that call the grader).
"""
import datetime
import json
import sys


def seconds(meta):
    ex = meta.get("execution", {})
    if "iopub.execute_input" not in ex or "shell.execute_reply" not in ex:
        return 0.0
    parse = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(ex["shell.execute_reply"]) - parse(ex["iopub.execute_input"])).total_seconds()


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
