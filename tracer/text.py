"""Text as people's editors and XML see it: where lines end, and what a picture can hold.

Two rules every reader and writer of osflow's text files shares:

- A line ends at `\\n`, `\\r\\n` or `\\r`, as in an editor (and in Python's own parser).
  `str.splitlines` also breaks at `\\v`, `\\f`, the separators `\\x1c`-`\\x1e`, NEL (U+0085)
  and U+2028/U+2029, which no editor shows as a new line, so every line number after
  one of them would be wrong.
- XML 1.0, and so SVG, cannot hold the C0 control characters other than tab, newline and
  return, lone surrogates (U+D800-U+DFFF), U+FFFE or U+FFFF. Input that holds one is
  refused where it is read (naming file and line); text made in code is drawn with U+FFFD,
  the replacement character, in its place.
"""

from __future__ import annotations

import re

LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"\r\n|\r|\n")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"

_NAMES = {0x00: "NUL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
          0x1B: "escape"}


def split_lines(text: str) -> list[str]:
    """The lines of `text` as an editor numbers them (a last empty line is no line)."""
    lines = LINE_END.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def line_at(text: str | bytes, index: int) -> int:
    """The 1-based line, as an editor counts, of the character (or byte) at `index`."""
    pattern = _LINE_END_BYTES if isinstance(text, bytes) else LINE_END
    line = 1 + len(pattern.findall(text, 0, index))
    if 0 < index < len(text) and text[index - 1:index + 1] in ("\r\n", b"\r\n"):
        line -= 1  # between the two characters of one line end: still the line before
    return line


def describe(char: str) -> str:
    """`U+FFFE (a noncharacter)`: a character named so a reader can find it."""
    code = ord(char)
    if code in _NAMES:
        what = _NAMES[code]
    elif code < 0x20:
        what = "a control character"
    elif 0xD800 <= code <= 0xDFFF:
        what = "a lone surrogate"
    else:
        what = "a noncharacter"
    return f"U+{code:04X} ({what})"


def forbidden_in_xml(text: str) -> tuple[int, str] | None:
    """(index, description) of the first character XML cannot hold, if any."""
    found = XML_FORBIDDEN.search(text)
    return None if found is None else (found.start(), describe(found.group()))


def xml_safe(text: str) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD."""
    # most texts hold none: a search in C is cheaper than a substitution
    return XML_FORBIDDEN.sub(REPLACEMENT, text) if XML_FORBIDDEN.search(text) else text


def shorten(value: str, limit: int = 60) -> str:
    """`value` for an error line: whole if short, else its start and its length."""
    return value if len(value) <= limit else f"{value[:40]}... ({len(value)} characters)"
