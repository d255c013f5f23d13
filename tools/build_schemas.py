"""Regenerate the data files' JSON Schemas and README's field reference from the models.

The schemas are written to src/reportkit/schemas/*.schema.json (shipped with the package and
copied into each project's .reportkit/schemas/); the reference goes between the
`<!-- data-fields -->` markers of README.md. tests/test_schemas.py fails while either is out
of date.

    python tools/build_schemas.py          # write what changed
    python tools/build_schemas.py --check  # exit 1 if anything is out of date, write nothing
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportkit.schemas import (
    DATA_FILES,
    readme_with_reference,
    schema_text,
    shipped_schema,
    write_shipped_schemas,
)

README = Path(__file__).resolve().parents[1] / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="report what is out of date; write nothing"
    )
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    updated = readme_with_reference(readme)
    if args.check:
        stale = [
            str(shipped_schema(name))
            for name in DATA_FILES
            if not shipped_schema(name).is_file()
            or shipped_schema(name).read_text(encoding="utf-8") != schema_text(name)
        ]
        if updated != readme:
            stale.append(str(README))
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
    for path in write_shipped_schemas():
        print(f"wrote {path}")
    if updated != readme:
        README.write_text(updated, encoding="utf-8")
        print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
