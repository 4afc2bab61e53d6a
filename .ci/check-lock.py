"""Check that the installed environment satisfies pyproject.toml's requirements (dev extra
included), so a dependency added to pyproject.toml without `make lock` fails here with a
clear message instead of as an ImportError somewhere in the tests.

Run by the Makefile after installing from requirements-lock.txt (in the venv's Python).
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement

PROJECT = "hotline-workstation"


def main() -> int:
    problems = []
    for line in requires(PROJECT) or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": "dev"}):
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            problems.append(f"{req} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{req} (installed: {installed})")
    if problems:
        print("requirements-lock.txt does not satisfy pyproject.toml:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print("update the lock with `make lock`, then run make again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
