"""The YAML files people write for osflow (annotations, accepted findings): read whole or
refused with one line naming the file, the line where it can, and the fix.

PyYAML builds a document by recursion, one call a level of nesting: a file nested 50,000
deep raised RecursionError from inside it. Its parser is not recursive, so the events are
read first and a file nested deeper than anything osflow reads is refused there. A
double-quoted `"\\ud800"` is half of a UTF-16 pair, no character: PyYAML makes a string of
it that cannot be written as UTF-8, and a diagram that quoted it failed as it was written.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tracer.errors import OsflowError
from tracer.files import FileRefused, read_regular_file

# Levels of nesting (mappings and lists) in a file people write: an annotation needs 3.
MAX_DEPTH = 16

_SURROGATE = re.compile("[\ud800-\udfff]")


def read_text(path: Path, shown: str, limit: int, noun: str) -> str:
    """The text of the UTF-8 file at `path` (`shown` in messages), at most `limit` bytes;
    `noun` names what it is ("an annotation file")."""
    try:
        data = read_regular_file(path, limit)
    except FileRefused as exc:
        if exc.size is not None:
            raise OsflowError(f"{shown}: over {limit} bytes; {noun} holds at most "
                              f"{limit}") from None
        raise OsflowError(f"{shown}: not a regular file; {noun} is a YAML file") from None
    except OSError as exc:
        raise OsflowError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise OsflowError(f"{shown}:{line}: not UTF-8 (byte {exc.start}); save it as "
                          "UTF-8") from None


def check_events(text: str, shown: str) -> None:
    """Refuse what PyYAML cannot build or osflow cannot write, before PyYAML builds it:
    nesting deeper than MAX_DEPTH, and a string holding a lone surrogate. yaml.YAMLError
    for text that is not YAML, as PyYAML's own loaders raise it."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise OsflowError(f"{shown}:{event.start_mark.line + 1}: nested more than "
                                  f"{MAX_DEPTH} deep; osflow's YAML files need 3 levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            found = _SURROGATE.search(event.value)
            if found:
                half = f"\\u{ord(found.group()):04x}"
                raise OsflowError(f"{shown}:{event.start_mark.line + 1}: {half} is half of "
                                  "a UTF-16 surrogate pair, not a character; write the "
                                  "character itself")
