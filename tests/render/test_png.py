"""PNG output through resvg: valid images, deterministic, memory bounded."""

from __future__ import annotations

import struct

import pytest

from tracer.errors import OsflowError
from tracer.render.png import (MAX_PIXELS, SECONDS, Work, fit_zoom, measure, plan,
                                  svg_size, svg_to_png)
from tracer.render.svg import render_svg
from tracer.wsd.parser import parse_file, parse_text
from tests.render.diagrams import big_diagram
from tests.wsd.corpus import example_params

pytest.importorskip("resvg_py")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("path", example_params())
def test_examples_rasterise(path):
    svg = render_svg(parse_file(path))
    data = svg_to_png(svg)
    width, height = png_size(data)
    svg_w, svg_h = svg_size(svg)
    zoom = plan(measure(svg)).zoom  # twice the SVG's size, less for the biggest
    assert zoom == 2.0 or svg_w * svg_h * 4 > MAX_PIXELS
    assert (width, height) == (round(svg_w * zoom), round(svg_h * zoom)) or \
           abs(width - svg_w * zoom) <= 1 and abs(height - svg_h * zoom) <= 1
    if path.stem == "pause":  # the smallest: enough to show the output is deterministic
        assert svg_to_png(svg) == data


def test_zoom_is_capped_by_pixel_budget():
    assert fit_zoom(100, 100) == 2.0
    zoom = fit_zoom(4000, 40000)
    assert 4000 * 40000 * zoom * zoom <= MAX_PIXELS
    assert zoom == fit_zoom(4000, 40000)


def test_tall_diagram_stays_within_budget(monkeypatch):
    from tracer.render import png

    monkeypatch.setattr(png, "MAX_PIXELS", 2_000_000)  # a small budget keeps the test quick
    svg = render_svg(parse_text(big_diagram(600, 12)))
    width, height = png_size(svg_to_png(svg))
    assert width * height <= 2_000_000
    assert width * height > 1_000_000  # scaled down to fit, not to nothing


def test_the_budget_counts_shapes_and_text_not_pixels_alone():
    # a thousand activation bars as tall as the diagram: few pixels, many pixel rows
    svg = render_svg(parse_text("\n".join(["A->+B: call", "B->+A: back"] * 250)))
    work = measure(svg)
    chosen = plan(work)
    assert chosen.zoom < fit_zoom(work.width, work.height)  # pixels alone would allow more
    assert work.seconds(chosen.zoom) <= SECONDS
    assert chosen.warning.startswith(f"drawn at {chosen.zoom:g} of the SVG's size to stay "
                                     "within the PNG budget")
    assert plan(work) == chosen  # the same SVG, the same zoom


def test_what_no_zoom_can_draw_in_budget_is_refused():
    # each character's outline costs at any size: 300,000 of them are over the budget
    with pytest.raises(OsflowError) as info:
        plan(Work(500.0, 500.0, shapes=5000, chars=300_000, halo_chars=300_000))
    assert str(info.value).startswith("too much to draw as a PNG: 5000 shapes and 300000 "
                                      "characters of text would take about ")
    assert str(info.value).endswith("; use the SVG, or split the diagram")
