"""Parser for the websequencediagrams (.wsd) dialect.

One pass over the lines, no recursion: open fragments live on an explicit stack whose depth
is bounded. Every error names the file and line and says what was expected, because the
input is often written by hand. Limits on size, line length, statement count and nesting
keep a hostile or runaway file from taking unbounded time or memory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from tracer.errors import OsflowError
from tracer.files import FileRefused, read_regular_file
from tracer.text import forbidden_in_xml, line_at, split_lines
from tracer.wsd.model import (
    Activation,
    ActivationAction,
    Autonumber,
    Branch,
    Comment,
    Diagram,
    Element,
    Group,
    GroupKind,
    Head,
    Message,
    Note,
    NoteKind,
    NotePosition,
    Participant,
    Provenance,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_LINE_CHARS = 10_000
MAX_STATEMENTS = 10_000
MAX_DEPTH = 32
MAX_PARTICIPANTS = 200

KEYWORDS = (
    "title participant actor note state ref alt else opt loop par group end "
    "activate deactivate destroy autonumber"
).split()

# Longest forms first: at one position the first alternative that matches wins.
_ARROW = re.compile(r"<-->|<->|-->>|->>|-->|->|--x|-x")
_DELAY = re.compile(r"\((\d{1,3})\)")
_NOTE = re.compile(r"(left\s+of|right\s+of|over)\s+(.*)$", re.IGNORECASE)
_PROVENANCE = re.compile(r"^(?P<path>[\w./-]+\.py)(?:\s+(?P<func>.*?))?\s*$")
_FUNCTION_ONLY = re.compile(r"^(?P<func>[A-Za-z_][\w.]*)\(\)\s*$")
_GROUP_KINDS = {kind.value: kind for kind in GroupKind}


def parse_file(path: str | os.PathLike[str], display: str | None = None) -> Diagram:
    """Parse a .wsd file; refuse files over MAX_BYTES before reading them."""
    name = display if display is not None else str(path)
    try:
        data = read_regular_file(path, MAX_BYTES)
    except FileRefused as exc:
        if exc.size is None:  # a named pipe, a link to /dev/zero: never opened
            raise OsflowError(f"{name}: {exc.reason}; give a .wsd file") from None
        raise OsflowError(
            f"{name}: file is {exc.size} bytes, over the {MAX_BYTES} byte limit "
            f"({MAX_BYTES // (1024 * 1024)} MB); split the diagram"
        ) from None
    except OSError as exc:
        raise OsflowError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = line_at(data, exc.start)
        raise OsflowError(f"{name}:{line}: not UTF-8 text, expected a UTF-8 .wsd file") from None
    return parse_text(text, name)


def parse_text(text: str, source: str = "<string>") -> Diagram:
    """Parse .wsd text into a Diagram; `source` names the input in error messages.

    Lines end as an editor ends them (tracer.text.split_lines), so that every error names
    the line an editor shows."""
    if len(text) > MAX_BYTES:
        raise OsflowError(
            f"{source}: text is {len(text)} characters, over the {MAX_BYTES} limit; split the diagram"
        )
    parser = _Parser(source)
    for number, raw in enumerate(split_lines(text), start=1):
        parser.feed(raw, number)
    return parser.finish()


def unescape(text: str) -> str:
    """`\\n` in labels means a line break."""
    return text.replace("\\n", "\n")


@dataclass
class _Open:
    """A fragment still waiting for its `end`."""

    group: Group
    branch: Branch


@dataclass
class _PendingNote:
    """A multi-line note between its header and `end note`."""

    note: Note
    terminator: str
    lines: list[str] = field(default_factory=list)


class _Parser:
    """Line-at-a-time state machine; see `feed`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.diagram = Diagram(source=source)
        self.ids: dict[str, Participant] = {}
        self.stack: list[_Open] = []
        self.pending: _PendingNote | None = None
        self.provenance: Provenance | None = None
        self.numbering: int | None = None
        self.statements = 0
        self.last_line = 0

    # -- plumbing -------------------------------------------------------------------------

    def error(self, line: int, message: str) -> OsflowError:
        return OsflowError(f"{self.source}:{line}: {message}")

    def current(self) -> list[Element]:
        """The list new elements go into: the innermost open branch, else the top level."""
        return self.stack[-1].branch.items if self.stack else self.diagram.items

    def add(self, element: Element, line: int) -> None:
        self.statements += 1
        if self.statements > MAX_STATEMENTS:
            raise self.error(
                line, f"more than {MAX_STATEMENTS} statements, the limit; split the diagram"
            )
        self.current().append(element)

    def participant(self, name: str, line: int) -> str:
        """Resolve a name used in a statement, declaring it implicitly on first use."""
        if name not in self.ids:
            self.declare(name, name, "participant", line, explicit=False)
        return name

    def declare(self, pid: str, label: str, kind: str, line: int, explicit: bool) -> None:
        existing = self.ids.get(pid)
        if existing is not None:
            # A later declaration refines label and kind but keeps the first position.
            existing.label, existing.kind = label, kind
            existing.explicit = existing.explicit or explicit
            return
        if len(self.ids) >= MAX_PARTICIPANTS:
            raise self.error(line, f"more than {MAX_PARTICIPANTS} participants, the limit")
        part = Participant(id=pid, label=label, kind=kind, line=line, explicit=explicit)
        self.ids[pid] = part
        self.diagram.participants.append(part)

    # -- per line -------------------------------------------------------------------------

    def feed(self, raw: str, number: int) -> None:
        self.last_line = number
        if len(raw) > MAX_LINE_CHARS:
            raise self.error(
                number, f"line is {len(raw)} characters long, over the {MAX_LINE_CHARS} limit"
            )
        line = raw.strip()
        bad = forbidden_in_xml(line)
        if bad is not None:
            # white space around a statement (a form feed on a line of its own) is dropped
            # like any other; inside one it would reach the SVG, which is XML
            column = len(raw) - len(raw.lstrip()) + bad[0] + 1
            raise self.error(number, f"character {bad[1]} at column {column}, which XML and "
                                     "so SVG cannot hold; remove it")
        if self.pending is not None:
            self.feed_note_body(line, number)
            return
        if not line:
            return
        if line.startswith("#"):
            self.comment(line, number)
            return
        keyword = _keyword(line)
        if keyword is None:
            if _ARROW.search(line):
                self.message(line, number)
                return
            word = line.split()[0]
            raise self.error(
                number,
                f"unknown keyword {word!r}, expected a message like `A->B: text` "
                f"or one of: {', '.join(KEYWORDS)}",
            )
        rest = line[len(keyword):].strip()
        getattr(self, "kw_" + keyword.lower())(rest, number)

    def finish(self) -> Diagram:
        if self.pending is not None:
            note = self.pending.note
            raise self.error(
                note.line, f"{note.kind.value} is never closed, expected `{self.pending.terminator}`"
            )
        # A fragment left open is closed at the end, as the reference renderer does (a
        # hand-drawn shelve.wsd leaves its `alt` open), with a warning naming its line.
        while self.stack:
            group = self.stack.pop().group
            group.end_line = self.last_line
            self.diagram.warnings.append(
                f"{self.source}:{group.line}: `{group.kind.value}` is never closed; closed at "
                "the end of the file (add `end` where it ends)")
        return self.diagram

    # -- comments and provenance ----------------------------------------------------------

    def comment(self, line: str, number: int) -> None:
        """`# path Class.func` sets the provenance of the steps that follow it."""
        body = line.lstrip("#").strip()
        match = _PROVENANCE.match(body)
        if match:
            func = match.group("func") or None
            if func:
                func = func.removesuffix("()").strip() or None
            self.provenance = Provenance(match.group("path"), func, number)
            return
        only = _FUNCTION_ONLY.match(body)
        if only and self.provenance is not None:
            # `## nova/compute/api.py` then `# create()`: the function within that file.
            self.provenance = Provenance(self.provenance.path, only.group("func"), number)
            return
        self.add(Comment(body, number), number)

    # -- statements -----------------------------------------------------------------------

    def kw_title(self, rest: str, number: int) -> None:
        if not rest:
            raise self.error(number, "`title` needs text, expected `title Some title`")
        self.diagram.title = unescape(rest)
        self.diagram.title_line = number

    def kw_participant(self, rest: str, number: int, kind: str = "participant") -> None:
        if not rest:
            raise self.error(number, f"`{kind}` needs a name, expected `{kind} NAME [as ALIAS]`")
        first, remainder = _take_name(rest)
        if first is None:
            raise self.error(number, f"unclosed quote in {kind} name, expected a closing `\"`")
        remainder = remainder.strip()
        if not remainder:
            self.declare(first.name, unescape(first.name), kind, number, explicit=True)
            return
        match = re.match(r"as\s+(.*)$", remainder, re.IGNORECASE)
        if not match:
            raise self.error(
                number, f"unexpected {remainder!r} after the {kind} name, expected `as ALIAS`"
            )
        second, tail = _take_name(match.group(1).strip())
        if second is None or not second.name or tail.strip():
            raise self.error(number, f"bad alias in `{kind}`, expected `{kind} \"Label\" as id`")
        if second.quoted and not first.quoted:
            pid, label = first.name, second.name  # `participant id as "Label"`
        else:
            pid, label = second.name, first.name  # `participant "Label" as id`
        self.declare(pid, unescape(label), kind, number, explicit=True)

    def kw_actor(self, rest: str, number: int) -> None:
        self.kw_participant(rest, number, kind="actor")

    def kw_note(self, rest: str, number: int, kind: NoteKind = NoteKind.NOTE) -> None:
        word = kind.value
        match = _NOTE.match(rest)
        if not match:
            raise self.error(
                number,
                f"bad {word}, expected `{word} left of A: text`, `{word} right of A: text`, "
                f"`{word} over A: text` or `{word} over A,B: text`",
            )
        where = NotePosition(" ".join(match.group(1).lower().split()))
        if kind is not NoteKind.NOTE and where is not NotePosition.OVER:
            raise self.error(number, f"`{word}` goes over participants, expected `{word} over A`")
        targets, text = _split_label(match.group(2))
        names = [name.strip().strip('"') for name in targets.split(",")]
        if not all(names):
            raise self.error(number, f"{word} names no participant, expected `{word} over A: text`")
        if len(names) > 2 or (len(names) == 2 and where is not NotePosition.OVER):
            raise self.error(
                number, f"{word} spans too many participants, expected one, or two with `over A,B`"
            )
        parts = tuple(self.participant(name, number) for name in names)
        note = Note(parts, "", where, kind, number, provenance=self.provenance)
        if text is None:
            note.multiline = True
            self.pending = _PendingNote(note, f"end {word}")
            return
        note.text = unescape(text.strip())
        self.add(note, number)

    def kw_state(self, rest: str, number: int) -> None:
        self.kw_note(rest, number, NoteKind.STATE)

    def kw_ref(self, rest: str, number: int) -> None:
        self.kw_note(rest, number, NoteKind.REF)

    def feed_note_body(self, line: str, number: int) -> None:
        pending = self.pending
        assert pending is not None
        if " ".join(line.lower().split()) == pending.terminator:
            pending.note.text = unescape("\n".join(pending.lines))
            self.pending = None
            self.add(pending.note, pending.note.line)
            return
        self.statements += 1  # note lines count too, so one giant note is bounded as well
        if self.statements > MAX_STATEMENTS:
            raise self.error(number, f"more than {MAX_STATEMENTS} lines of statements and notes, the limit; split the diagram")
        pending.lines.append(line)

    def open_group(self, kind: GroupKind, rest: str, number: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.error(number, f"fragments nested more than {MAX_DEPTH} deep, the limit")
        branch = Branch(unescape(rest), number)
        group = Group(kind, [branch], number, provenance=self.provenance)
        self.add(group, number)
        self.stack.append(_Open(group, branch))

    def kw_alt(self, rest: str, number: int) -> None:
        self.open_group(GroupKind.ALT, rest, number)

    def kw_opt(self, rest: str, number: int) -> None:
        self.open_group(GroupKind.OPT, rest, number)

    def kw_loop(self, rest: str, number: int) -> None:
        self.open_group(GroupKind.LOOP, rest, number)

    def kw_par(self, rest: str, number: int) -> None:
        self.open_group(GroupKind.PAR, rest, number)

    def kw_group(self, rest: str, number: int) -> None:
        self.open_group(GroupKind.GROUP, rest, number)

    def kw_else(self, rest: str, number: int) -> None:
        if not self.stack:
            raise self.error(number, "`else` outside any fragment, expected it inside `alt` ... `end`")
        top = self.stack[-1]
        branch = Branch(unescape(rest), number)
        top.group.branches.append(branch)
        top.branch = branch

    def kw_end(self, rest: str, number: int) -> None:
        word = rest.lower().split()[0] if rest else ""
        if word in ("note", "state", "ref"):
            raise self.error(number, f"`end {word}` without an open multi-line {word}")
        if rest and word not in _GROUP_KINDS:
            raise self.error(number, f"unexpected {rest!r} after `end`, expected `end` alone")
        if not self.stack:
            raise self.error(number, "`end` without an open fragment (alt/opt/loop/par/group)")
        self.stack.pop().group.end_line = number

    def lifeline(self, action: ActivationAction, rest: str, number: int) -> None:
        name = rest.strip().strip('"')
        if not name or _ARROW.search(name):
            raise self.error(number, f"`{action.value}` needs one participant, expected `{action.value} A`")
        pid = self.participant(name, number)
        self.add(Activation(action, pid, number, self.provenance), number)

    def kw_activate(self, rest: str, number: int) -> None:
        self.lifeline(ActivationAction.ACTIVATE, rest, number)

    def kw_deactivate(self, rest: str, number: int) -> None:
        self.lifeline(ActivationAction.DEACTIVATE, rest, number)

    def kw_destroy(self, rest: str, number: int) -> None:
        self.lifeline(ActivationAction.DESTROY, rest, number)

    def kw_autonumber(self, rest: str, number: int) -> None:
        if rest.lower() == "off":
            self.numbering = None
            self.add(Autonumber(None, number), number)
            return
        if rest and not rest.isdigit():
            raise self.error(number, f"bad autonumber {rest!r}, expected `autonumber`, `autonumber N` or `autonumber off`")
        start = int(rest[:9]) if rest else 1
        self.numbering = start
        self.add(Autonumber(start, number), number)

    def message(self, line: str, number: int) -> None:
        head, text = _split_label(line)
        found = _find_arrow(head)
        if found is None:
            raise self.error(
                number, "arrow needs a participant on each side, expected `A->B: text`"
            )
        source, arrow, target = found
        delay = None
        delayed = _DELAY.match(target)
        if delayed:
            delay = int(delayed.group(1))
            target = target[delayed.end():].strip()
        activate = deactivate = create = False
        if target[:1] in ("+", "-", "*"):
            marker, target = target[0], target[1:].strip()
            activate, deactivate, create = marker == "+", marker == "-", marker == "*"
        source, target = source.strip('"'), target.strip('"')
        if not target:
            raise self.error(number, f"`{arrow}` has no target, expected `{source or 'A'}{arrow}B: text`")
        if not source:
            raise self.error(number, f"`{arrow}` has no source, expected `A{arrow}{target}: text`")
        if _ARROW.search(target):
            raise self.error(number, "more than one arrow in a message, expected `A->B: text`")
        msg = Message(
            source=self.participant(source, number),
            target=self.participant(target, number),
            text=unescape(text.strip()) if text is not None else "",
            line=number,
            dashed=arrow.startswith("--") or arrow == "<-->",
            head=Head.CROSS if arrow.endswith("x") else Head.OPEN if arrow.endswith(">>") else Head.FILLED,
            bidirectional=arrow.startswith("<"),
            delay=delay,
            activate_target=activate,
            deactivate_source=deactivate,
            create_target=create,
            provenance=self.provenance,
        )
        if self.numbering is not None:
            msg.number = self.numbering
            self.numbering += 1
        self.add(msg, number)


@dataclass
class _Name:
    name: str
    quoted: bool


def _take_name(text: str) -> tuple[_Name | None, str]:
    """Split a leading participant name (quoted, or one bare word) from the rest."""
    text = text.strip()
    if text.startswith('"'):
        close = text.find('"', 1)
        if close < 0:
            return None, ""
        return _Name(text[1:close], True), text[close + 1:]
    match = re.match(r"(\S+)(.*)$", text)
    if not match:
        return _Name("", False), ""
    return _Name(match.group(1), False), match.group(2)


def _keyword(line: str) -> str | None:
    """The statement keyword starting this line, if it is one (not a participant named so)."""
    match = re.match(r"([A-Za-z]+)(?=\s|$)", line)
    if not match:
        return None
    word = match.group(1)
    if word.lower() not in KEYWORDS:
        return None
    # `note -> A: x` is a message from a participant called "note", not a note; `alt ->`
    # (no target) is a fragment labelled `->`.
    after = line[match.end():].lstrip()
    arrow = _ARROW.match(after)
    if arrow and after[arrow.end():].split(":", 1)[0].strip():
        return None
    return word


def _split_label(text: str) -> tuple[str, str | None]:
    """Split `head: label` at the first colon outside quotes; label is None without one."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return text[:index].strip(), text[index + 1:]
    return text.strip(), None


def _find_arrow(head: str) -> tuple[str, str, str] | None:
    """Split `A->B` into source, arrow and target; None when there is no arrow at all.

    Hyphenated names make `-x` and `->` ambiguous (`foo-xy->bar`), so each arrow position is
    tried in turn and the first that leaves a name on the left and exactly one arrow-free
    name on the right wins; failing that the first arrow is returned so the caller can say
    what is missing. Linear in the (bounded) line length times the few arrow positions.
    """
    first = None
    for start in range(len(head)):
        if head[start] not in "-<":
            continue
        match = _ARROW.match(head, start)
        if not match:
            continue
        source = head[:start].strip()
        target = head[match.end():].strip()
        candidate = (source, match.group(0), target)
        if first is None:
            first = candidate
        bare = _DELAY.sub("", target, count=1).lstrip("+-* ")
        if source and source[-1] not in "-<" and bare and not _ARROW.search(bare):
            return candidate
    return first
