"""How long and how framed osflow's Liberty drafts are beside the hand-drawn ones.

Usage: python bench/readability.py [LIBERTY]   (a folder holding Liberty's nova/; default:
the fixture archive ../shared/fixtures/nova-12.0.0.tar.xz, unpacked once into the cache)

For each hand-drawn example in ../shared/examples (boot, pause, reboot, image-create), it
traces the same operation with the default options and with --overview and prints lines
(statements: neither blank, nor comments, nor participant declarations) and frames
(opt/alt/loop/par/group/critical/break) of each, and the ratio to the hand-drawn figure.
The issue's aim: default drafts within 1.5x a careful human's lines and frames.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "examples"
# hand-drawn file -> the operation osflow names it
DRAWN = {"create.wsd": "boot", "pause.wsd": "pause", "reboot.wsd": "reboot",
         "snapshot.wsd": "image-create"}
_FRAME = re.compile(r"\s*(opt|alt|loop|par|group|critical|break)\b")
_SKIP = re.compile(r"\s*($|#|'|participant\b|actor\b|title\b)")


def measure(text: str) -> tuple[int, int]:
    lines = [line for line in text.splitlines() if not _SKIP.match(line)]
    return len(lines), sum(1 for line in lines if _FRAME.match(line))


def liberty() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    sys.path.insert(0, str(ROOT))
    from tracer.sources import unpacked_archive

    return str(unpacked_archive(ROOT.parent / "shared" / "fixtures" / "nova-12.0.0.tar.xz"))


def main() -> int:
    source = liberty()
    print(f"{'operation':14} {'hand':>11} {'draft':>11} {'ratio':>11} "
          f"{'overview':>11} {'ratio':>11}")
    totals = [0] * 6
    for drawn, op in DRAWN.items():
        hand = measure((EXAMPLES / drawn).read_text())
        figures = [hand]
        for extra in ([], ["--overview"]):
            out = subprocess.run([sys.executable, "-c", "from tracer.cli import main; main()",
                                  "trace", op, "-s", source,
                                  *extra], capture_output=True, text=True, check=True).stdout
            figures.append(measure(out))
        for i, (lines, frames) in enumerate(figures):
            totals[2 * i] += lines
            totals[2 * i + 1] += frames
        (hl, hf), (dl, df), (ol, of) = figures
        print(f"{op:14} {hl:>5} {hf:>5} {dl:>5} {df:>5} {dl / hl:>5.1f} {df / max(hf, 1):>5.1f}"
              f" {ol:>5} {of:>5} {ol / hl:>5.1f} {of / max(hf, 1):>5.1f}")
    hl, hf, dl, df, ol, of = totals
    print(f"{'all':14} {hl:>5} {hf:>5} {dl:>5} {df:>5} {dl / hl:>5.1f} {df / max(hf, 1):>5.1f}"
          f" {ol:>5} {of:>5} {ol / hl:>5.1f} {of / max(hf, 1):>5.1f}")
    print("(lines, frames; ratio to the hand-drawn; frames ratio over max(hand, 1))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
