"""Benchmark: parse and render 50 generated ~100-line diagrams to SVG; bar is under 2 s.

Run: python bench/bench_render.py   (not part of the test suite)
"""

from __future__ import annotations

import random
import sys
import time

from tracer.render.svg import RenderOptions, render_svg
from tracer.wsd.parser import parse_text

COUNT, LINES, BAR_SECONDS = 50, 100, 2.0


def generate(seed: int, lines: int = LINES) -> str:
    """A Nova-like diagram: calls with returns, casts, notes, fragments, provenance."""
    rng = random.Random(seed)
    names = ["client", "nova_api", "nova_conductor", "nova_scheduler", "nova_compute",
             "database", "placement", "glance", "neutron", "cinder", "libvirt"]
    out = [f"title generated flow {seed}", "client->nova_api: POST /servers/{id}/action",
           "activate nova_api"]
    depth = 0
    while len(out) < lines:
        roll = rng.random()
        a, b = rng.sample(names, 2)
        if roll < 0.06 and depth < 3:
            out.append(f"{rng.choice(['alt', 'opt', 'loop'])} condition {len(out)}")
            depth += 1
        elif roll < 0.09 and depth:
            out.append("else otherwise")
        elif roll < 0.13 and depth:
            out.append("end")
            depth -= 1
        elif roll < 0.2:
            out.append(f"# nova/{a}/manager.py Manager.step_{len(out)}")
        elif roll < 0.45:
            out.append(f"note over {a}: check policy and state {len(out)}")
        elif roll < 0.6:
            out.append(f"{a}->>{b}: cast_{len(out)}")
        elif roll < 0.65:
            out.append(f"{a}->{a}: helper_{len(out)}()")
        else:
            out += [f"{a}->+{b}: call_{len(out)} (task_state=X)", f"{b}-->-{a}: returns"]
    out += ["end"] * depth
    out.append("nova_api-->client: 202")
    return "\n".join(out) + "\n"


def main() -> int:
    texts = [generate(seed) for seed in range(COUNT)]
    options = RenderOptions(tag="34.0.0")
    started = time.perf_counter()
    size = 0
    for index, text in enumerate(texts):
        size += len(render_svg(parse_text(text, f"bench{index}.wsd"), options))
    elapsed = time.perf_counter() - started
    lines = sum(t.count("\n") for t in texts)
    verdict = "ok" if elapsed < BAR_SECONDS else "TOO SLOW"
    print(f"rendered {COUNT} diagrams ({lines} lines, {size} bytes of SVG) in {elapsed:.3f} s "
          f"[bar {BAR_SECONDS:.1f} s: {verdict}]")
    return 0 if elapsed < BAR_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
