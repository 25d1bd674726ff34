"""PNG output through resvg: valid images, deterministic, memory bounded."""

from __future__ import annotations

import struct

import pytest

from tracer.render.png import MAX_PIXELS, fit_zoom, svg_size, svg_to_png
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
    assert (width, height) == (round(svg_w * 2), round(svg_h * 2)) or \
           abs(width - svg_w * 2) <= 1 and abs(height - svg_h * 2) <= 1
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
