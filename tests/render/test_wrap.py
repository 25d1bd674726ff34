"""Wrapping text into boxes: long words are cut where reading them suffers least."""

from __future__ import annotations

from hypothesis import given, strategies as st

from tracer.render.fontmetrics import text_width, wrap_text

SIZE = 14


def test_a_long_rule_is_cut_after_a_separator_not_inside_a_word():
    lines = wrap_text("policy: os_compute_api:os-pause-server:pause", SIZE, 260)
    assert lines == ["policy:", "os_compute_api:os-pause-server:", "pause"]


def test_a_word_without_separators_is_cut_between_characters():
    lines = wrap_text("a" * 80, SIZE, 100)
    assert "".join(lines) == "a" * 80 and len(lines) > 1
    assert all(text_width(line, SIZE) <= 100 for line in lines)


@given(st.text(alphabet="ab:._- ", max_size=200), st.integers(min_value=20, max_value=400))
def test_wrapping_keeps_every_character_and_every_line_fits(text, width):
    lines = wrap_text(text, SIZE, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:  # a single character wider than the box is the one exception
        assert text_width(line, SIZE) <= width or len(line) == 1
