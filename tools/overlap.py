"""Report runs of N or more consecutive words shared between content/ and the source report.

Usage: python tools/overlap.py [N] [files...]
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "source" / "istanbul-2017-conference-report.md"


def words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>|\{[^}]*\}|\[\^[^\]]*\]", " ", text)
    return re.findall(r"[\w’']+", text.lower().replace("’", "'"))


def shared_runs(text: str, source: str, n: int) -> list[str]:
    src = words(source)
    grams = {tuple(src[i : i + n]) for i in range(len(src) - n + 1)}
    mine = words(text)
    return [
        " ".join(mine[i : i + n])
        for i in range(len(mine) - n + 1)
        if tuple(mine[i : i + n]) in grams
    ]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=12, help="run length in words (12)")
    parser.add_argument("files", nargs="*", type=Path, help="files to check (content/**/*.qmd)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = arguments()
    n = args.n
    files = args.files or sorted((ROOT / "content").rglob("*.qmd"))
    source = SOURCE.read_text(encoding="utf-8")
    bad = 0
    for f in files:
        for run in shared_runs(f.read_text(encoding="utf-8"), source, n):
            bad += 1
            print(f"{f}: {run}")
    print(f"{bad} shared runs of {n}+ words")
    sys.exit(1 if bad else 0)
