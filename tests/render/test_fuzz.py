"""Fuzz: any text or bytes either parse and render, or fail with OsflowError; nothing else,
in bounded time and memory.

The suite runs a modest number of examples per test; a campaign sets OSFLOW_FUZZ_EXAMPLES
(e.g. `OSFLOW_FUZZ_EXAMPLES=20000 pytest -q tests/render/test_fuzz.py`, figures in
docs/reliability.md). tests/render/atheris_wsd.py is the coverage-guided counterpart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracer.errors import OsflowError
from tracer.render.png import svg_to_png
from tracer.render.svg import render_svg
from tracer.wsd.mermaid import to_mermaid
from tracer.wsd.parser import MAX_DEPTH, MAX_LINE_CHARS, MAX_PARTICIPANTS, MAX_STATEMENTS
from tracer.wsd.parser import parse_file, parse_text
from tracer.wsd.plantuml import to_plantuml
from tracer.wsd.writer import to_wsd

CAMPAIGN = int(os.environ.get("OSFLOW_FUZZ_EXAMPLES", "0"))


def fuzz(default: int, **kwargs):
    """Hypothesis settings: `default` examples in the suite, OSFLOW_FUZZ_EXAMPLES in a
    campaign; 2 s per example at most (the time bound)."""
    return settings(max_examples=CAMPAIGN or default, deadline=2000,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    **kwargs)


NAMES = st.sampled_from(["A", "B", "nova_api", '"Long name"', "x-y", "note", ""])
ARROWS = st.sampled_from(["->", "->>", "-->", "-->>", "-x", "--x", "<->", "->(2)", "->+", "->-",
                          "->*", "-", ">", ""])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
STATEMENT = st.one_of(
    st.builds(lambda a, r, b, t: f"{a}{r}{b}: {t}", NAMES, ARROWS, NAMES, TEXT),
    st.builds(lambda a, b, t: f"note over {a},{b}: {t}", NAMES, NAMES, TEXT),
    st.builds(lambda w, a, t: f"note {w} {a}: {t}", st.sampled_from(["left of", "right of", "over"]),
              NAMES, TEXT),
    st.sampled_from(["note over A", "end note", "state over B: s", "ref over A,B: r", "end",
                     "else x", "alt c", "opt", "loop l", "par", "group g", "activate A",
                     "deactivate A", "destroy B", "autonumber", "autonumber 3", "title T",
                     "participant X as Y", 'actor "Z"', "# nova/x.py F.g", "#", ""]),
    TEXT,
)

# Well-formed fragments nested at random: the renderer's layout of deep, wide structures,
# which random lines rarely reach past the parser. Labels hold no line end (\n, \r) and
# nothing XML forbids, which the parser refuses (control characters but tab, U+FFFE and
# U+FFFF); NEL, U+2028 and U+2029 are characters of a line like any other.
LABEL = st.text(alphabet=st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(map(chr, [*range(9), *range(10, 32)])) + "\ufffe\uffff"),
    max_size=30)
PARTICIPANT = st.sampled_from(["A", "B", "nova_api", '"Long name"', "x-y"])
MESSAGE = st.builds(lambda a, r, b, t: [f"{a}{r}{b}: {t}"], PARTICIPANT,
                    st.sampled_from(["->", "->>", "-->", "-->>", "-x", "--x", "->+", "->-"]),
                    PARTICIPANT, LABEL)
BLOCK = st.recursive(
    MESSAGE,
    lambda inner: st.one_of(
        st.builds(lambda kind, label, body: [f"{kind} {label}", *body, "end"],
                  st.sampled_from(["alt", "opt", "loop", "par", "group"]), LABEL, inner),
        st.builds(lambda label, first, second: [f"alt {label}", *first, "else", *second, "end"],
                  LABEL, inner, inner),
        st.builds(lambda a, b: a + b, inner, inner),
    ),
    max_leaves=60,
)


def render_or_refuse(text: str, name: str = "fuzz.wsd"):
    """The contract: a Diagram that renders, or an OsflowError naming the input."""
    try:
        diagram = parse_text(text, name)
    except OsflowError as exc:
        assert str(exc).startswith(name)
        return None
    svg = render_svg(diagram)
    assert svg.startswith("<?xml") and svg.endswith("</svg>\n")
    return diagram


@fuzz(200)
@given(st.lists(STATEMENT, max_size=40))
def test_parse_and_render_never_crash(lines):
    diagram = render_or_refuse("\n".join(lines))
    if diagram is not None:
        # What the writer emits must parse again; the other exports never fail.
        parse_text(to_wsd(diagram), "rewritten.wsd")
        to_plantuml(diagram)
        to_mermaid(diagram)


@fuzz(100)
@given(BLOCK)
def test_nested_fragments_render(lines):
    assert render_or_refuse("\n".join(lines)) is not None


@fuzz(100)
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    render_or_refuse(text, "any.wsd")


@fuzz(100)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_from_a_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "bytes.wsd")
        path.write_bytes(data)
        try:
            diagram = parse_file(path, "bytes.wsd")
        except OsflowError as exc:
            assert str(exc).startswith("bytes.wsd")
            return
    render_svg(diagram)


@fuzz(15)
@given(st.lists(STATEMENT, max_size=20))
def test_png_never_crashes(lines):
    diagram = render_or_refuse("\n".join(lines))
    if diagram is not None:
        assert svg_to_png(render_svg(diagram)).startswith(b"\x89PNG")


# The biggest inputs the parser accepts, each shaped to stress one part of the layout.
AT_THE_LIMITS = {
    "statements": "\n".join(f"P{i % 20}->P{(i + 7) % 20}: step {i}"
                            for i in range(MAX_STATEMENTS - 1)),
    "participants": "\n".join(f"P{i}->P{MAX_PARTICIPANTS - 1 - i}: m"
                              for i in range(MAX_PARTICIPANTS)),
    "depth": "\n".join(["alt c"] * MAX_DEPTH + ["A->B: x"] + ["end"] * MAX_DEPTH),
    "long lines": "\n".join(f"A->B: {'w ' * (MAX_LINE_CHARS // 2 - 10)}" for _ in range(50)),
    "activations": "\n".join(["A->+B: call", "B->+A: back"] * 2000),
    "wide notes": "\n".join(f"note over P0,P{MAX_PARTICIPANTS - 1}: n{i}" for i in range(2000)),
}
TIME_LIMIT_S = 30
MEMORY_LIMIT_MB = 300


@pytest.mark.parametrize("shape", sorted(AT_THE_LIMITS))
def test_inputs_at_the_limits_take_bounded_time_and_memory(shape):
    tracemalloc.start()
    started = time.monotonic()
    try:
        svg = render_svg(parse_text(AT_THE_LIMITS[shape], f"{shape}.wsd"))
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert svg.endswith("</svg>\n")
    assert elapsed < TIME_LIMIT_S, elapsed
    assert peak < MEMORY_LIMIT_MB * 1024 * 1024, peak


# A PNG is drawn in a child process of its own, so that its time and peak memory (resvg's
# canvas and tree included) are measured apart from the test run's.
PNG_CHILD = """
import sys
from tracer.errors import OsflowError
from tracer.render.png import svg_to_png
from tracer.render.svg import render_svg
from tracer.wsd.parser import parse_text
svg = render_svg(parse_text(sys.stdin.read(), "limit.wsd"))
try:
    print("png" if svg_to_png(svg).startswith(b"\\x89PNG") else "not a PNG")
except OsflowError as exc:
    print(f"refused: {exc}")
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child forked from a
# large test run would report the run's size rather than its own.
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def png_in_a_child(text: str) -> tuple[str, float, float]:
    """What drawing `text` as a PNG gave (`png` or `refused: ...`), the seconds it took and
    the child's peak memory in MB; a child that outlasts twice the time limit fails."""
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", PNG_CHILD], input=text, capture_output=True,
                           text=True, timeout=2 * TIME_LIMIT_S,
                           cwd=Path(__file__).resolve().parents[2])
    elapsed = time.monotonic() - started
    assert child.returncode == 0, child.stderr
    outcome, peak_kb = child.stdout.splitlines()
    return outcome, elapsed, int(peak_kb) / 1024


# Inputs the PNG budget admits, each shaped to cost resvg the most where the budget's
# estimate is least sure: pixel rows (500 activation bars as tall as the diagram, drawn at
# under half size) and outlines of text (function names of 9,000 characters in the gutter).
NEAR_THE_PNG_BUDGET = {
    "tall bars": "\n".join(["A->+B: call", "B->+A: back"] * 250),
    "long names": "\n".join(f"# nova/x.py {'e' * 9000}{i}\nA->B: m{i}\nB->A: r{i}"
                             for i in range(20)),
}


@pytest.mark.parametrize("shape", sorted(AT_THE_LIMITS) + sorted(NEAR_THE_PNG_BUDGET))
def test_png_of_inputs_at_the_limits_takes_bounded_time_and_memory(shape):
    text = AT_THE_LIMITS.get(shape) or NEAR_THE_PNG_BUDGET[shape]
    outcome, elapsed, peak_mb = png_in_a_child(text)
    assert outcome == "png" or outcome.startswith("refused: ") and shape in AT_THE_LIMITS, \
        outcome
    assert elapsed < TIME_LIMIT_S, (outcome, elapsed)
    assert peak_mb < MEMORY_LIMIT_MB, (outcome, peak_mb)
