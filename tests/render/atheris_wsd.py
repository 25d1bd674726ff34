"""Coverage-guided fuzzing of the .wsd parser and the SVG renderer with atheris (libFuzzer).

Not part of the test suite (pytest does not collect it): a campaign, run by hand.

    pip install atheris
    python tests/render/atheris_wsd.py -atheris_runs=200000 -max_len=4096 [CORPUS_DIR]

Any input must parse and render, or raise OsflowError; anything else is a finding, and
libFuzzer saves the input that caused it (crash-<sha1>). A seed corpus of real diagrams
makes it go deeper: `workflows/nova/*.wsd` copied into CORPUS_DIR.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from tracer.errors import OsflowError
    from tracer.render.svg import render_svg
    from tracer.wsd.parser import parse_text


def one_input(data: bytes) -> None:
    # bytes as UTF-8, as files are read, so that the seed diagrams mean what they say
    text = data.decode("utf-8", errors="replace")
    try:
        diagram = parse_text(text, "fuzz.wsd")
    except OsflowError:
        return
    render_svg(diagram)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
