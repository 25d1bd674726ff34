"""The parsed form of a sequence diagram, shared by the parser, writer, exporters and renderer.

Plain dataclasses and nothing else: every stage after the parser reads these, so they hold
what the text said (names, labels, arrow kinds, structure) and where it said it (the source
line, for error messages and links), not how it will be drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Union


class Head(str, Enum):
    """Arrowhead at the target end of a message."""

    FILLED = "filled"  # `->`: a synchronous call
    OPEN = "open"  # `->>`: an asynchronous cast
    CROSS = "cross"  # `-x`: a lost or failed message


class NotePosition(str, Enum):
    """Where a note sits relative to its participant(s)."""

    LEFT = "left of"
    RIGHT = "right of"
    OVER = "over"


class NoteKind(str, Enum):
    """`note` is a folded sheet, `state` a rounded box, `ref` a frame referring elsewhere."""

    NOTE = "note"
    STATE = "state"
    REF = "ref"


class GroupKind(str, Enum):
    """The fragment keywords that open a frame closed by `end`."""

    ALT = "alt"
    OPT = "opt"
    LOOP = "loop"
    PAR = "par"
    GROUP = "group"


class ActivationAction(str, Enum):
    """Stand-alone lifeline statements."""

    ACTIVATE = "activate"
    DEACTIVATE = "deactivate"
    DESTROY = "destroy"


@dataclass(frozen=True)
class Provenance:
    """Where in the analysed source a step comes from: `# nova/compute/api.py API.pause`."""

    path: str
    function: str | None = None
    line: int = 0

    def text(self) -> str:
        """The comment body, as the writer emits it."""
        return f"{self.path} {self.function}" if self.function else self.path


@dataclass
class Participant:
    """A lifeline. `id` is what messages use; `label` is what the box shows."""

    id: str
    label: str
    kind: str = "participant"  # or "actor"
    line: int = 0
    explicit: bool = False  # declared with `participant`/`actor`, not just used


@dataclass
class Message:
    """One arrow between two lifelines (or a lifeline and itself)."""

    source: str
    target: str
    text: str = ""
    line: int = 0
    dashed: bool = False  # `-->`: a return
    head: Head = Head.FILLED
    bidirectional: bool = False  # `<->`
    delay: int | None = None  # `->(N)`: drawn slanted, N steps long
    activate_target: bool = False  # `->+B`
    deactivate_source: bool = False  # `->-B`
    create_target: bool = False  # `->*B`
    number: int | None = None  # set by `autonumber`
    provenance: Provenance | None = None
    # another project's diagram of what this arrow requests, relative to output/
    # (`cinder/attachment-update.svg`): its label links there. Not part of the .wsd text.
    link: str | None = None


@dataclass
class Note:
    """A note, state box or ref frame over, left of or right of participants."""

    participants: tuple[str, ...]
    text: str
    position: NotePosition = NotePosition.OVER
    kind: NoteKind = NoteKind.NOTE
    line: int = 0
    multiline: bool = False  # written as a block ending in `end note`
    provenance: Provenance | None = None


@dataclass
class Activation:
    """`activate A`, `deactivate A` or `destroy A`."""

    action: ActivationAction
    participant: str
    line: int = 0
    provenance: Provenance | None = None


@dataclass
class Autonumber:
    """`autonumber [N]` switches numbering on from N (default 1); `autonumber off` stops it."""

    start: int | None  # None means off
    line: int = 0


@dataclass
class Comment:
    """A `#` comment that is not provenance; kept so the writer can round-trip hand edits."""

    text: str
    line: int = 0


@dataclass
class Branch:
    """One arm of a fragment: the opening arm, or one `else` arm."""

    label: str
    line: int = 0
    items: list[Element] = field(default_factory=list)


@dataclass
class Group:
    """`alt`/`opt`/`loop`/`par`/`group` ... `end`, with its `else` arms as further branches."""

    kind: GroupKind
    branches: list[Branch]
    line: int = 0
    end_line: int = 0
    provenance: Provenance | None = None

    @property
    def label(self) -> str:
        return self.branches[0].label


Element = Union[Message, Note, Activation, Autonumber, Comment, Group]


@dataclass
class Diagram:
    """A whole diagram: title, participants in display order, and the steps in order."""

    title: str | None = None
    participants: list[Participant] = field(default_factory=list)
    items: list[Element] = field(default_factory=list)
    source: str = "<string>"  # file name used in messages
    title_line: int = 0
    warnings: list[str] = field(default_factory=list)  # what was mended (FILE:LINE: ...)

    def participant(self, pid: str) -> Participant | None:
        """The participant with this id, if any (linear; diagrams have few participants)."""
        for part in self.participants:
            if part.id == pid:
                return part
        return None


# Event kinds produced by `events`.
OPEN, ELSE, CLOSE, ITEM = "open", "else", "close", "item"


def events(items: list[Element]) -> list[tuple[str, object, int]]:
    """The diagram as a flat stream: (kind, object, depth) in document order, no recursion.

    `open` carries the Group (its first branch label is the group's label), `else` carries
    the Branch that starts, `close` carries the Group, `item` carries any other element.
    Writers and renderers walk this instead of recursing into nested fragments.
    """
    out: list[tuple[str, object, int]] = []
    # Work stack entries: (sequence, next index, depth, group owning the sequence, branch no.)
    stack: list[tuple[list[Element], int, int, Group | None, int]] = [(items, 0, 0, None, 0)]
    while stack:
        seq, index, depth, owner, branch_no = stack.pop()
        if index < len(seq):
            item = seq[index]
            stack.append((seq, index + 1, depth, owner, branch_no))
            if isinstance(item, Group):
                out.append((OPEN, item, depth))
                stack.append((item.branches[0].items, 0, depth + 1, item, 0))
            else:
                out.append((ITEM, item, depth))
            continue
        if owner is None:
            continue
        following = branch_no + 1
        if following < len(owner.branches):
            branch = owner.branches[following]
            out.append((ELSE, branch, depth - 1))
            stack.append((branch.items, 0, depth, owner, following))
        else:
            out.append((CLOSE, owner, depth - 1))
    return out
