"""Text measurement for the SVG renderer, from DejaVu Sans advance widths.

Why a table and not a font library: layout must be deterministic and dependency free, and
the same numbers must hold on every machine. The widths below are the advance widths of
DejaVu Sans Book and Bold (DejaVu fonts are free to use and redistribute; see
https://dejavu-fonts.github.io/License.html), read from the TTF files' `hmtx` tables for
ASCII, Latin-1 and a few common punctuation marks. Kerning is ignored, which can only
over-estimate a width, so boxes are never too narrow. The SVG asks for DejaVu Sans first,
so what is measured is what is drawn wherever that font is installed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

UNITS_PER_EM = 2048

# REGULAR: advance widths in font units (2048 per em), keyed by character.
REGULAR_WIDTHS: dict[str, int] = {
    ' ': 651, '!': 821, '"': 942, '#': 1716, '$': 1303, '%': 1946, '&': 1597, "'": 563,
    '(': 799, ')': 799, '*': 1024, '+': 1716, ',': 651, '-': 739, '.': 651, '/': 690,
    '0': 1303, '1': 1303, '2': 1303, '3': 1303, '4': 1303, '5': 1303, '6': 1303, '7': 1303,
    '8': 1303, '9': 1303, ':': 690, ';': 690, '<': 1716, '=': 1716, '>': 1716, '?': 1087,
    '@': 2048, 'A': 1401, 'B': 1405, 'C': 1430, 'D': 1577, 'E': 1294, 'F': 1178, 'G': 1587,
    'H': 1540, 'I': 604, 'J': 604, 'K': 1343, 'L': 1141, 'M': 1767, 'N': 1532, 'O': 1612,
    'P': 1235, 'Q': 1612, 'R': 1423, 'S': 1300, 'T': 1251, 'U': 1499, 'V': 1401, 'W': 2025,
    'X': 1403, 'Y': 1251, 'Z': 1403, '[': 799, '\\': 690, ']': 799, '^': 1716, '_': 1024,
    '`': 1024, 'a': 1255, 'b': 1300, 'c': 1126, 'd': 1300, 'e': 1260, 'f': 721, 'g': 1300,
    'h': 1298, 'i': 569, 'j': 569, 'k': 1186, 'l': 569, 'm': 1995, 'n': 1298, 'o': 1253,
    'p': 1300, 'q': 1300, 'r': 842, 's': 1067, 't': 803, 'u': 1298, 'v': 1212, 'w': 1675,
    'x': 1212, 'y': 1212, 'z': 1075, '{': 1303, '|': 690, '}': 1303, '~': 1716, '\xa0': 651,
    '¡': 821, '¢': 1303, '£': 1303, '¤': 1303, '¥': 1303, '¦': 690, '§': 1024, '¨': 1024,
    '©': 2048, 'ª': 965, '«': 1253, '¬': 1716, '\xad': 739, '®': 2048, '¯': 1024, '°': 1024,
    '±': 1716, '²': 821, '³': 821, '´': 1024, 'µ': 1303, '¶': 1303, '·': 651, '¸': 1024,
    '¹': 821, 'º': 965, '»': 1253, '¼': 1985, '½': 1985, '¾': 1985, '¿': 1087, 'À': 1401,
    'Á': 1401, 'Â': 1401, 'Ã': 1401, 'Ä': 1401, 'Å': 1401, 'Æ': 1995, 'Ç': 1430, 'È': 1294,
    'É': 1294, 'Ê': 1294, 'Ë': 1294, 'Ì': 604, 'Í': 604, 'Î': 604, 'Ï': 604, 'Ð': 1587,
    'Ñ': 1532, 'Ò': 1612, 'Ó': 1612, 'Ô': 1612, 'Õ': 1612, 'Ö': 1612, '×': 1716, 'Ø': 1612,
    'Ù': 1499, 'Ú': 1499, 'Û': 1499, 'Ü': 1499, 'Ý': 1251, 'Þ': 1239, 'ß': 1290, 'à': 1255,
    'á': 1255, 'â': 1255, 'ã': 1255, 'ä': 1255, 'å': 1255, 'æ': 2011, 'ç': 1126, 'è': 1260,
    'é': 1260, 'ê': 1260, 'ë': 1260, 'ì': 569, 'í': 569, 'î': 569, 'ï': 569, 'ð': 1253,
    'ñ': 1298, 'ò': 1253, 'ó': 1253, 'ô': 1253, 'õ': 1253, 'ö': 1253, '÷': 1716, 'ø': 1253,
    'ù': 1298, 'ú': 1298, 'û': 1298, 'ü': 1298, 'ý': 1212, 'þ': 1300, 'ÿ': 1212, '–': 1024,
    '—': 2048, '‘': 651, '’': 651, '“': 1061, '”': 1061, '…': 2048, '→': 1716, '←': 1716,
    '↔': 1716, '≤': 1716, '≥': 1716, '•': 1208, '€': 1303,
}

# BOLD: advance widths in font units (2048 per em), keyed by character.
BOLD_WIDTHS: dict[str, int] = {
    ' ': 713, '!': 934, '"': 1067, '#': 1716, '$': 1425, '%': 2052, '&': 1786, "'": 627,
    '(': 936, ')': 936, '*': 1071, '+': 1716, ',': 778, '-': 850, '.': 778, '/': 748,
    '0': 1425, '1': 1425, '2': 1425, '3': 1425, '4': 1425, '5': 1425, '6': 1425, '7': 1425,
    '8': 1425, '9': 1425, ':': 819, ';': 819, '<': 1716, '=': 1716, '>': 1716, '?': 1188,
    '@': 2048, 'A': 1585, 'B': 1561, 'C': 1503, 'D': 1700, 'E': 1399, 'F': 1399, 'G': 1681,
    'H': 1714, 'I': 762, 'J': 762, 'K': 1587, 'L': 1305, 'M': 2038, 'N': 1714, 'O': 1741,
    'P': 1501, 'Q': 1741, 'R': 1577, 'S': 1475, 'T': 1397, 'U': 1663, 'V': 1585, 'W': 2259,
    'X': 1579, 'Y': 1483, 'Z': 1485, '[': 936, '\\': 748, ']': 936, '^': 1716, '_': 1024,
    '`': 1024, 'a': 1382, 'b': 1466, 'c': 1214, 'd': 1466, 'e': 1389, 'f': 891, 'g': 1466,
    'h': 1458, 'i': 702, 'j': 702, 'k': 1362, 'l': 702, 'm': 2134, 'n': 1458, 'o': 1407,
    'p': 1466, 'q': 1466, 'r': 1010, 's': 1219, 't': 979, 'u': 1458, 'v': 1335, 'w': 1892,
    'x': 1321, 'y': 1335, 'z': 1192, '{': 1458, '|': 748, '}': 1458, '~': 1716, '\xa0': 713,
    '¡': 934, '¢': 1425, '£': 1425, '¤': 1303, '¥': 1425, '¦': 748, '§': 1024, '¨': 1024,
    '©': 2048, 'ª': 1155, '«': 1323, '¬': 1716, '\xad': 850, '®': 2048, '¯': 1024, '°': 1024,
    '±': 1716, '²': 897, '³': 897, '´': 1024, 'µ': 1507, '¶': 1303, '·': 778, '¸': 1024,
    '¹': 897, 'º': 1155, '»': 1323, '¼': 2120, '½': 2120, '¾': 2120, '¿': 1188, 'À': 1585,
    'Á': 1585, 'Â': 1585, 'Ã': 1585, 'Ä': 1585, 'Å': 1585, 'Æ': 2222, 'Ç': 1503, 'È': 1399,
    'É': 1399, 'Ê': 1399, 'Ë': 1399, 'Ì': 762, 'Í': 762, 'Î': 762, 'Ï': 762, 'Ð': 1716,
    'Ñ': 1714, 'Ò': 1741, 'Ó': 1741, 'Ô': 1741, 'Õ': 1741, 'Ö': 1741, '×': 1716, 'Ø': 1741,
    'Ù': 1663, 'Ú': 1663, 'Û': 1663, 'Ü': 1663, 'Ý': 1483, 'Þ': 1511, 'ß': 1473, 'à': 1382,
    'á': 1382, 'â': 1382, 'ã': 1382, 'ä': 1382, 'å': 1382, 'æ': 2146, 'ç': 1214, 'è': 1389,
    'é': 1389, 'ê': 1389, 'ë': 1389, 'ì': 702, 'í': 702, 'î': 702, 'ï': 702, 'ð': 1407,
    'ñ': 1458, 'ò': 1407, 'ó': 1407, 'ô': 1407, 'õ': 1407, 'ö': 1407, '÷': 1716, 'ø': 1407,
    'ù': 1458, 'ú': 1458, 'û': 1458, 'ü': 1458, 'ý': 1335, 'þ': 1466, 'ÿ': 1335, '–': 1024,
    '—': 2048, '‘': 778, '’': 778, '“': 1346, '”': 1346, '…': 2048, '→': 1716, '←': 1716,
    '↔': 1716, '≤': 1716, '≥': 1716, '•': 1309, '€': 1425,
}
# Characters outside the tables: wide East Asian forms take a full em, others a generous
# average (wider than most Latin letters) so the estimate errs on the roomy side.
_WIDE_FALLBACK = UNITS_PER_EM
_NARROW_FALLBACK = 1400


def _char_units(ch: str, table: dict[str, int]) -> int:
    """Advance width of one character in font units, with a safe fallback."""
    width = table.get(ch)
    if width is not None:
        return width
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return _WIDE_FALLBACK
    return _NARROW_FALLBACK


@lru_cache(maxsize=8192)
def _line_units(line: str, bold: bool) -> int:
    table = BOLD_WIDTHS if bold else REGULAR_WIDTHS
    return sum(_char_units(ch, table) for ch in line)


def text_width(line: str, size: float, bold: bool = False) -> float:
    """Width in pixels of one line of text at `size` px (tabs count as four spaces)."""
    line = line.replace("\t", "    ")
    return _line_units(line, bold) * size / UNITS_PER_EM


def wrap_text(text: str, size: float, max_width: float, bold: bool = False) -> list[str]:
    """Lines of `text` no wider than `max_width` px where words allow.

    Explicit line breaks are kept; each paragraph is filled greedily word by word. A single
    word wider than the limit is split by characters rather than allowed to push a column
    to an unreadable width (long dotted paths and UUID-like tokens do this).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            for piece in _split_long_word(word, size, max_width, bold):
                trial = f"{current} {piece}" if current else piece
                if current and text_width(trial, size, bold) > max_width:
                    lines.append(current)
                    current = piece
                else:
                    current = trial
        lines.append(current)
    return lines


def _split_long_word(word: str, size: float, max_width: float, bold: bool) -> list[str]:
    """A word as one piece, or as several pieces each within `max_width` (linear time),
    cut after a separator where one fits (`os_compute_api:` / `os-pause-server:pause`,
    not `...:paus` / `e`), else between any two characters."""
    if text_width(word, size, bold) <= max_width:
        return [word]
    table = BOLD_WIDTHS if bold else REGULAR_WIDTHS
    limit = max_width * UNITS_PER_EM / size
    pieces: list[str] = []
    start, used = 0, 0
    cut, used_at_cut = 0, 0  # just after the piece's last separator, and the units to it
    for index, ch in enumerate(word):
        units = _char_units(ch, table)
        if index > start and used + units > limit:
            if cut > start:
                pieces.append(word[start:cut])
                start, used = cut, used - used_at_cut
            if index > start and used + units > limit:
                pieces.append(word[start:index])
                start, used = index, 0
        used += units
        if ch in _BREAK_AFTER:
            cut, used_at_cut = index + 1, used
    pieces.append(word[start:])
    return pieces


# Where a long word may be cut with the least harm to reading it.
_BREAK_AFTER = frozenset(":./_-,=")
