"""Fuzz: any text either parses and renders, or fails with OsflowError; nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracer.errors import OsflowError
from tracer.render.svg import render_svg
from tracer.wsd.parser import parse_text
from tracer.wsd.writer import to_wsd

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


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STATEMENT, max_size=40))
def test_parse_and_render_never_crash(lines):
    text = "\n".join(lines)
    try:
        diagram = parse_text(text, "fuzz.wsd")
    except OsflowError as exc:
        assert str(exc).startswith("fuzz.wsd")
        return
    svg = render_svg(diagram)
    assert svg.startswith("<?xml") and svg.endswith("</svg>\n")
    # What the writer emits must parse again.
    parse_text(to_wsd(diagram), "rewritten.wsd")


@settings(max_examples=100, deadline=2000)
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    try:
        diagram = parse_text(text, "any.wsd")
    except OsflowError:
        return
    render_svg(diagram)
