"""PNG output: our SVG rasterised by resvg (through the `resvg-py` wheels, no system libs).

A PNG has a budget, so that any diagram the parser accepts is drawn, or refused, in
bounded time and memory (docs/reliability.md). resvg's cost is not the image's size
alone: each shape costs in proportion to the pixel rows it spans (a thousand nested
activation bars as tall as the diagram took minutes), each character of text costs for
its outline (more when it has a white halo), and the canvas costs 4 bytes a pixel, twice
over while it is encoded. `measure` counts these in the SVG and `plan` picks the zoom:
twice the SVG's size, less when the picture would exceed MAX_PIXELS or the estimated
SECONDS or MEGABYTES. The estimate's weights were measured on a 2-core machine (the
figures in docs/reliability.md) and err high; a picture whose text and shapes alone, at
any size, exceed the budget is refused. All of it is computed from the SVG, so the same
SVG always gets the same zoom and the same bytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tracer.errors import OsflowError

MAX_PIXELS = 20_000_000  # 80 MB of RGBA canvas
DEFAULT_ZOOM = 2.0  # crisp on high-density screens and in documents
LEGIBLE_ZOOM = 0.5  # below this a label is under 6.5 px high: said in a warning
SECONDS = 15.0  # the estimated time budget (what the estimate errs by, and noise, stay
MEGABYTES = 250.0  # well within the 30 s and 300 MB promised)

# The estimate's weights: seconds per shape, per character of text (with and without a
# halo), per pixel row a shape spans and per pixel; megabytes of resvg's tree per shape
# and per character, and of the process before it draws.
_PER_SHAPE_S = 1.0e-3
_PER_CHAR_S, _PER_HALO_CHAR_S = 70e-6, 150e-6  # outlines, at any size
_PER_CHAR_ZOOM_S, _PER_HALO_CHAR_ZOOM_S = 40e-6, 90e-6  # filled, per unit of zoom
_PER_ROW_S = 6e-6
_PER_PIXEL_S, _PER_FILLED_PIXEL_S = 0.15e-6, 60e-9
_BASE_MB, _PER_PIXEL_MB = 40.0, 8e-6
_PER_SHAPE_MB, _PER_CHAR_MB = 3.5e-3, 0.45e-3

_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')
_SHAPE = re.compile(r"<(rect|path|circle|text)\b([^>]*)>(?:([^<]*)</text>)?")
_ATTR = re.compile(r'(?<![\w-])(width|height|fill|d)="([^"]*)"')  # not stroke-width
_PATH_Y = re.compile(r"[ML]-?[\d.]+ (-?[\d.]+)|V(-?[\d.]+)")


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of one of our SVG documents, from its root element."""
    match = _SIZE.search(svg[:2000])
    if not match:
        raise OsflowError("cannot rasterise: the SVG has no width and height on its root")
    return float(match.group(1)), float(match.group(2))


@dataclass(frozen=True)
class Work:
    """What drawing an SVG costs, counted at zoom 1."""

    width: float
    height: float
    shapes: int = 0
    chars: int = 0  # characters of text drawn
    halo_chars: int = 0  # of which drawn with a white halo (a stroke of each outline)
    rows: float = 0.0  # pixel rows spanned, summed over the shapes
    filled: float = 0.0  # pixels of filled rectangles, summed (frames overlap)

    def seconds_terms(self) -> tuple[float, float, float]:
        """The estimated seconds as fixed + linear * zoom + square * zoom ** 2."""
        plain = self.chars - self.halo_chars
        fixed = (self.shapes * _PER_SHAPE_S + plain * _PER_CHAR_S
                 + self.halo_chars * _PER_HALO_CHAR_S)
        linear = (self.rows * _PER_ROW_S + plain * _PER_CHAR_ZOOM_S
                  + self.halo_chars * _PER_HALO_CHAR_ZOOM_S)
        square = self.width * self.height * _PER_PIXEL_S + self.filled * _PER_FILLED_PIXEL_S
        return fixed, linear, square

    def seconds(self, zoom: float) -> float:
        fixed, linear, square = self.seconds_terms()
        return fixed + linear * zoom + square * zoom * zoom

    def megabytes(self, zoom: float) -> float:
        return (_BASE_MB + self.shapes * _PER_SHAPE_MB + self.chars * _PER_CHAR_MB
                + zoom * zoom * self.width * self.height * _PER_PIXEL_MB)


def measure(svg: str) -> Work:
    """Count the work of drawing one of our SVG documents (osflow's own markup: absolute
    M/L/H/V path commands, one element a tag)."""
    width, height = svg_size(svg)
    shapes = chars = halo = 0
    rows = filled = 0.0
    for kind, attrs, body in _SHAPE.findall(svg):
        shapes += 1
        if kind == "text":
            chars += len(body)
            if 'paint-order="stroke"' in attrs:
                halo += len(body)
            continue
        values = dict(_ATTR.findall(attrs))
        if kind == "rect":
            tall = float(values.get("height", 0))
            rows += tall
            if values.get("fill") != "none":
                filled += tall * float(values.get("width", 0))
        elif kind == "path":
            ys = [float(a or b) for a, b in _PATH_Y.findall(values.get("d", ""))]
            rows += max(ys) - min(ys) if ys else 0.0
        else:
            rows += 10.0  # a stick figure's head
    return Work(width, height, shapes, chars, halo, rows, filled)


@dataclass(frozen=True)
class Plan:
    """The zoom a PNG is drawn at, and the warning to give when it is hard to read."""

    zoom: float
    warning: str | None = None


def fit_zoom(width: float, height: float, zoom: float = DEFAULT_ZOOM) -> float:
    """The zoom to use for a picture of this size: the requested one, reduced so the image
    stays within MAX_PIXELS (shapes and text are not counted: see `plan`)."""
    return plan(Work(width, height), zoom).zoom


def plan(work: Work, zoom: float = DEFAULT_ZOOM) -> Plan:
    """The largest zoom up to `zoom` within MAX_PIXELS, SECONDS and MEGABYTES; OsflowError
    when no zoom is: the text and shapes alone are over the budget."""
    fixed_s, linear, square = work.seconds_terms()
    fixed_mb = work.megabytes(0.0)
    if fixed_s > SECONDS or fixed_mb > MEGABYTES:
        raise OsflowError(
            f"too much to draw as a PNG: {work.shapes} shapes and {work.chars} characters of "
            f"text would take about {fixed_s:.0f} s and {fixed_mb:.0f} MB at any size, over "
            f"the PNG budget of {SECONDS:g} s and {MEGABYTES:g} MB; use the SVG, or split "
            "the diagram")
    pixels = max(work.width * work.height, 1.0)
    limits = [zoom, math.sqrt(MAX_PIXELS / pixels),
              math.sqrt((MEGABYTES - fixed_mb) / (pixels * _PER_PIXEL_MB))]
    # the zoom at which the estimated seconds, increasing with it, reach SECONDS
    room = SECONDS - fixed_s
    if linear or square:
        limits.append(2 * room / (linear + math.sqrt(linear * linear + 4 * square * room)))
    best = min(limits)
    if best < zoom:
        # Round down to two decimals so the same input always picks the same zoom.
        best = math.floor(best * 100) / 100
    if best < 0.01:
        raise OsflowError(
            f"too big to draw as a PNG: {work.width:.0f} x {work.height:.0f} px would have to "
            f"be drawn at under 1/100 of its size to stay within the PNG budget "
            f"({MAX_PIXELS // 1_000_000} megapixels, {SECONDS:g} s, {MEGABYTES:g} MB); use the "
            "SVG, or split the diagram")
    warning = None
    if best < min(zoom, LEGIBLE_ZOOM):
        warning = (f"drawn at {best:g} of the SVG's size to stay within the PNG budget "
                   f"({MAX_PIXELS // 1_000_000} megapixels, {SECONDS:g} s, {MEGABYTES:g} MB), "
                   "so its text is hard to read; the SVG has every detail")
    return Plan(best, warning)


def png_and_warning(svg: str, zoom: float = DEFAULT_ZOOM) -> tuple[bytes, str | None]:
    """Rasterise SVG text to PNG bytes on a white background, within the budget; and the
    warning to give when the picture had to be drawn too small to read."""
    try:
        import resvg_py
    except ImportError:  # pragma: no cover - it is a declared dependency
        raise OsflowError("PNG output needs the resvg-py package: pip install resvg-py") from None
    chosen = plan(measure(svg), zoom)
    try:
        data = bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=chosen.zoom,
                                           background="#ffffff"))
    except ValueError as exc:
        raise OsflowError(f"cannot rasterise the SVG: {exc}") from None
    return data, chosen.warning


def svg_to_png(svg: str, zoom: float = DEFAULT_ZOOM) -> bytes:
    """Rasterise SVG text to PNG bytes on a white background, within the budget."""
    return png_and_warning(svg, zoom)[0]
