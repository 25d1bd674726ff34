"""Does mermaid-cli accept every shipped diagram's Mermaid export?

Usage: python bench/check_mermaid.py [--mmdc PATH] [--browser PATH] [-j N] [WSD...]

Each `.wsd` (default: workflows/nova/*.wsd of this repository) is exported to Mermaid the
way `osflow trace --format mermaid` does, and drawn by mermaid-cli (`mmdc`) into a scratch
folder; the script prints each failure with mmdc's reason, then how many passed, and exits
1 if any failed. Not part of the test suite (it needs Node): install mermaid-cli once with
`PUPPETEER_SKIP_DOWNLOAD=1 npm install @mermaid-js/mermaid-cli@11` and point it at
Debian's Chromium (`--browser /usr/bin/chromium`, the default).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracer.wsd.mermaid import to_mermaid  # noqa: E402
from tracer.wsd.parser import parse_file  # noqa: E402


def check(mmdc: str, config: Path, wsd: Path, scratch: Path) -> str | None:
    """None when mmdc draws the export of `wsd`, else its reason (last line)."""
    source = scratch / f"{wsd.stem}.mmd"
    source.write_text(to_mermaid(parse_file(wsd)), encoding="utf-8")
    done = subprocess.run([mmdc, "-q", "-p", str(config), "-i", str(source),
                           "-o", str(source.with_suffix(".svg"))],
                          capture_output=True, text=True, timeout=300)
    if done.returncode == 0 and source.with_suffix(".svg").is_file():
        return None
    lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {done.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wsd", nargs="*", type=Path)
    parser.add_argument("--mmdc", default=shutil.which("mmdc") or "node_modules/.bin/mmdc")
    parser.add_argument("--browser", default="/usr/bin/chromium")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    files = args.wsd or sorted((ROOT / "workflows" / "nova").glob("*.wsd"))
    with tempfile.TemporaryDirectory(prefix="osflow-mermaid-") as folder:
        scratch = Path(folder)
        config = scratch / "puppeteer.json"
        config.write_text(json.dumps({"executablePath": args.browser,
                                      "args": ["--no-sandbox", "--headless=new"]}))
        with ThreadPoolExecutor(args.jobs) as pool:
            reasons = list(pool.map(lambda wsd: check(args.mmdc, config, wsd, scratch), files))
    failed = [(wsd, why) for wsd, why in zip(files, reasons) if why is not None]
    for wsd, why in failed:
        print(f"FAIL {wsd.name}: {why}")
    print(f"{len(files) - len(failed)} of {len(files)} Mermaid exports drawn by mermaid-cli")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
