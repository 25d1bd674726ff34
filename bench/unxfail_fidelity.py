"""Drop the `xfail=` of fidelity records that pass now (strict xfails turned XPASS).

Usage: python bench/unxfail_fidelity.py ID...   (ids as pytest prints them,
e.g. 34.0.0-delete-absent-soft-delete-instance). Edits tests/fidelity/records.py in place.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RECORDS = Path(__file__).resolve().parent.parent / "tests" / "fidelity" / "records.py"
MAKERS = {"appears", "absent", "before", "exclusive", "apart"}


def main(ids: list[str]) -> int:
    sys.path.insert(0, str(RECORDS.parents[2]))
    from tests.fidelity import records

    source = RECORDS.read_text()
    calls = [node for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in MAKERS]
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    made = [r for r in records.LIBERTY + records.MODERN]
    assert len(made) == len(calls), (len(made), len(calls))
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def at(line: int, col: int) -> int:
        return offsets[line - 1] + col

    cuts = []
    for record, call in zip(made, calls):
        if record.id not in ids:
            continue
        keywords = call.keywords
        for index, kw in enumerate(keywords):
            if kw.arg == "xfail":
                previous = keywords[index - 1].value if index else call.args[-1]
                cuts.append((at(previous.end_lineno, previous.end_col_offset),
                             at(kw.value.end_lineno, kw.value.end_col_offset)))
    for start, end in sorted(cuts, reverse=True):
        source = source[:start] + source[end:]
    RECORDS.write_text(source)
    print(f"{len(cuts)} xfail marks removed of {len(ids)} ids")
    return 0 if len(cuts) == len(ids) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
