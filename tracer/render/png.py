"""PNG output: our SVG rasterised by resvg (through the `resvg-py` wheels, no system libs)."""

from __future__ import annotations

import math
import re

from tracer.errors import OsflowError

# A pixel budget keeps memory bounded for very long diagrams (RGBA: 4 bytes a pixel).
MAX_PIXELS = 32_000_000
DEFAULT_ZOOM = 2.0  # crisp on high-density screens and in documents

_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of one of our SVG documents, from its root element."""
    match = _SIZE.search(svg[:2000])
    if not match:
        raise OsflowError("cannot rasterise: the SVG has no width and height on its root")
    return float(match.group(1)), float(match.group(2))


def fit_zoom(width: float, height: float, zoom: float = DEFAULT_ZOOM) -> float:
    """The zoom to use: the requested one, reduced so the image stays within MAX_PIXELS."""
    area = width * height * zoom * zoom
    if area <= MAX_PIXELS:
        return zoom
    # Round down to two decimals so the same input always picks the same zoom.
    return math.floor(zoom * math.sqrt(MAX_PIXELS / area) * 100) / 100 or 0.01


def svg_to_png(svg: str, zoom: float = DEFAULT_ZOOM) -> bytes:
    """Rasterise SVG text to PNG bytes on a white background."""
    try:
        import resvg_py
    except ImportError:  # pragma: no cover - it is a declared dependency
        raise OsflowError("PNG output needs the resvg-py package: pip install resvg-py") from None
    width, height = svg_size(svg)
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=fit_zoom(width, height, zoom),
                                           background="#ffffff"))
    except ValueError as exc:
        raise OsflowError(f"cannot rasterise the SVG: {exc}") from None
