"""Every corpus file's verdicts, in process (the trusted path without the sandbox), as JSON:
{"<assignment>/<unit>/<file>": {"expected": "wrong" | "correct", "failed": [aspects that failed],
"messages": {aspect: the student's message}}}.

    python tools/corpus_verdicts.py [ASSIGNMENT ...] > verdicts.json
    python tools/corpus_verdicts.py --compare before.json after.json

A grader change keeps the corpus's kills and keeps when the two files agree file by file (the
messages may change; which aspects fail may too: `--compare` lists the three kinds of difference).
"""
import contextlib
import io
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def verdicts(assignments):
    from grader_tests.framework.contract import table
    from grader_tests.framework.judging import checks
    from grader_tests.framework.pipeline import submission_builder as sb
    out = {}
    for assignment in assignments:
        for unit in sb.corpus_units(assignment):
            aspects = table.load(assignment).unit(unit.id).hidden_aspects
            for path, expected, _ in sb.corpus_files(assignment, unit.id):
                failed, messages = [], {}
                for aspect in aspects:
                    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                        verdict, _ = checks.outcome(assignment, unit.id, aspect, path.read_text())
                    if not verdict.passed:
                        failed.append(aspect)
                        messages[aspect] = verdict.message
                out[f"{assignment}/{unit.id}/{path.stem}"] = {"expected": expected, "failed": failed,
                                                              "messages": messages}
    return out


def compare(before, after):
    """Lines naming every file whose kill or keep changed, whose failing aspects did, or whose
    messages did (where both runs recorded them)."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            lines.append(f"{'added' if old is None else 'removed'}: {key}")
            continue
        if bool(old["failed"]) != bool(new["failed"]):
            lines.append(f"KILL CHANGED: {key}: failed {old['failed']} -> {new['failed']}")
        elif old["failed"] != new["failed"]:
            lines.append(f"aspects changed: {key}: {old['failed']} -> {new['failed']}")
        elif "messages" in old and "messages" in new and old["messages"] != new["messages"]:
            for aspect in sorted(set(old["messages"]) | set(new["messages"])):
                if old["messages"].get(aspect) != new["messages"].get(aspect):
                    lines.append(f"message changed: {key} {aspect}: {old['messages'].get(aspect)!r} -> "
                                 f"{new['messages'].get(aspect)!r}")
    return lines


def main(argv):
    if argv[:1] == ["--compare"]:
        before, after = (json.loads(pathlib.Path(p).read_text()) for p in argv[1:3])
        lines = compare(before, after)
        print("\n".join(lines) or "identical verdicts")
        return 1 if any(line.startswith("KILL") for line in lines) else 0
    from grader_tests.framework.contract import table
    found = verdicts(argv or table.assignments(ROOT))
    wrong_kept = [k for k, v in found.items() if v["expected"] == "wrong" and not v["failed"]]
    correct_lost = [k for k, v in found.items() if v["expected"] == "correct" and v["failed"]]
    json.dump(found, sys.stdout, indent=1, sort_keys=True)
    print(f"\n{len(found)} corpus files; wrong ones not caught: {wrong_kept}; correct ones failed: "
          f"{correct_lost}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
