"""Copy the modules each assignment ships (data loaders, given helpers) into its source folder
(one source of truth).

    python tools/ship_data_modules.py           # copy data/<file> (or <path>) -> source/<assignment>/<file>
    python tools/ship_data_modules.py --check   # exit 1 when a copy is missing or differs

The loaders live in `data/` (the course's data package: `make data`, tests, tools import them
from there); given helpers a notebook imports live in `handouts/`. A student receives only the release folder, so each notebook imports its loader
from its own folder; the unit table (`grader_tests/<assignment>/units.py`, `TABLE.ships`) names
the modules an assignment ships. `nbgrader generate_assignment` copies them from
`source/<assignment>/` into the release, and `nbgrader autograde` copies the instructor's
version over whatever a student submitted (edited or deleted) before grading. `make release`
runs this script before generate_assignment.
"""
import argparse
import filecmp
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader_tests.framework.contract import table  # noqa: E402


def shipped(root=ROOT):
    """[(assignment, data/<file>, source/<assignment>/<file>)] for every shipped module."""
    root = pathlib.Path(root)
    return [(a, root / table.shipped_file(name), root / "source" / a / pathlib.PurePath(name).name)
            for a in table.assignments(root) for name in table.load(a).ships]


def stale(root=ROOT):
    """The copies that are missing or differ from data/, as (assignment, original, copy)."""
    return [(a, src, dst) for a, src, dst in shipped(root)
            if not dst.is_file() or not filecmp.cmp(src, dst, shallow=False)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="copy nothing; exit 1 when a copy is missing or differs")
    args = parser.parse_args(argv)
    for a, src, dst in shipped():
        if not src.is_file():
            print(f"{a}: ships {src.name}, but {src.relative_to(ROOT)} does not exist", file=sys.stderr)
            return 1
    out_of_date = stale()
    if args.check:
        for a, src, dst in out_of_date:
            print(f"{a}: {dst.relative_to(ROOT)} is missing or differs from {src.relative_to(ROOT)} "
                  "(run python tools/ship_data_modules.py)", file=sys.stderr)
        return 1 if out_of_date else 0
    for a, src, dst in out_of_date:
        shutil.copyfile(src, dst)
        print(f"{a}: {src.relative_to(ROOT)} -> {dst.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
