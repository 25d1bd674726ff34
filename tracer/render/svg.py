"""Render a parsed diagram to SVG in pure Python: no browser, no Java, no network.

Two passes. The horizontal pass measures every label with real font metrics and solves for
lifeline positions so that no label, note or self-message crosses into a neighbour's space.
The vertical pass walks the steps in order, stacking rows so nothing overlaps vertically,
tracking activation bars per participant and fragment frames per nesting level.

The output is deterministic: coordinates are rounded to one decimal and written the same
way every time, there are no ids, timestamps or random numbers, and all iteration follows
document order.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from tracer.render.fontmetrics import text_width, wrap_text
from tracer.text import XML_FORBIDDEN, xml_safe
from tracer.wsd.model import (
    CLOSE,
    ELSE,
    ITEM,
    OPEN,
    Activation,
    ActivationAction,
    Branch,
    Comment,
    Diagram,
    Group,
    Head,
    Message,
    Note,
    NoteKind,
    NotePosition,
    Participant,
    Provenance,
    events,
)

OPENDEV = "https://opendev.org/openstack/nova/src/tag/{tag}/{path}"
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

# Sizes in px. Text first, then geometry derived from it.
FONT = 13.0
LINE = 16.0  # line height for FONT
SMALL = 11.0
TITLE_FONT = 18.0
PART_FONT = 13.0
MSG_WRAP = 340.0  # widest message label before it wraps
NOTE_WRAP = 250.0  # widest note text before it wraps
PAD = 6.0  # inner padding of notes
BOX_PAD_X, BOX_PAD_Y = 12.0, 8.0
MIN_BOX = 70.0
COL_GAP = 24.0  # minimum space between neighbouring participant boxes
BAR = 10.0  # activation bar width
BAR_STEP = 5.0  # offset of each nested activation
SELF_W = 32.0  # how far a self-message loops out
ROW_GAP = 10.0
FRAME_PAD = 10.0
MARGIN = 16.0
HEAD_LEN, HEAD_HALF = 9.0, 4.5
REPEAT_NAMES = 1100.0  # long diagrams repeat participant names on the lifelines this often

# Colours: calm, print-friendly, with casts set apart from calls.
INK = "#1f2328"
CAST = "#0b6e99"
LIFELINE = "#9aa4b2"
BOX_FILL, BOX_STROKE = "#e8f0fb", "#4a6d9c"
BAR_FILL = ("#ffffff", "#dfe8f5", "#c8d7ee")
NOTE_FILL, NOTE_STROKE = "#fff7c2", "#c5ac3f"
STATE_FILL, STATE_STROKE = "#e9f5e9", "#5e9a5e"
FRAME_STROKE, FRAME_TAB = "#6e7781", "#eef0f3"
ELSE_STROKE = "#8c959f"
SECTION = "#d8dee4"
GUTTER_INK = "#6e7781"


# The legend's arrows, each shown when the diagram has one like it.
LEGEND_ARROWS = ((Head.FILLED, False, "call: the sender waits for the reply"),
                 (Head.OPEN, False, "cast: sent, not waited for"),
                 (Head.FILLED, True, "reply, return"))
LEGEND_FRAMES = ("Frames: opt runs when its condition holds, alt takes one of its branches, "
                 "loop repeats.")
LEGEND_GUARDS = "[condition] before a label: only when it holds; *[for x in xs]: once per item."


@dataclass
class RenderOptions:
    """How provenance becomes links, and whether the function gutter is drawn."""

    tag: str | None = None  # a Nova release tag: links go to opendev at that tag
    link_base: str | None = None  # else: links are `link_base/path` (or the bare path)
    gutter: bool = True  # show each step's source function in a right-hand gutter
    legend: bool = True  # what arrows and frames mean, and the header notes, underneath
    output_prefix: str = ""  # from the picture to output/, for links to other projects


def render_svg(diagram: Diagram, options: RenderOptions | None = None) -> str:
    """The diagram as a complete, standalone SVG document."""
    return _Renderer(diagram, options or RenderOptions()).render()


def provenance_href(prov: Provenance, options: RenderOptions) -> str:
    """Where a provenance link points: opendev at the tag, else a relative or plain path."""
    # a path from a tree can hold what UTF-8 cannot encode (a file name's stray byte)
    path = quote(xml_safe(prov.path.lstrip("/")), safe="/._-")
    if options.tag:
        return OPENDEV.format(tag=quote(xml_safe(options.tag), safe="._-"), path=path)
    if options.link_base:
        return options.link_base.rstrip("/") + "/" + path
    return path


# -- small output helpers --------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def num(value: float) -> str:
    """A coordinate, rounded to 0.1 and written without trailing zeros or `-0`. (Cached:
    a diagram repeats its lifelines' and rows' coordinates thousands of times.)"""
    text = f"{value:.1f}"  # correctly rounded, ties to even, as round(value, 1) is
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


# Line breaks in a text or attribute are dropped (a label's lines are drawn apart); markup
# characters are escaped; what XML cannot hold becomes U+FFFD (tracer.text.xml_safe).
_XML_ESCAPES = {ord("\n"): None, ord("\r"): None, ord("&"): "&amp;", ord("<"): "&lt;",
                ord(">"): "&gt;", ord('"'): "&quot;"}
_NEEDS_ESCAPE = re.compile(f'[\n\r&<>"]|{XML_FORBIDDEN.pattern}')


def esc(text: str) -> str:
    """Text or attribute value made safe for XML. Every text of the SVG passes here."""
    # most texts need nothing: a search in C is cheaper than translating every character
    return xml_safe(text).translate(_XML_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _text(x: float, y: float, line: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in attrs.items())
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text x="{num(x)}" y="{num(y)}"{anchor_attr}{extra}>{esc(line)}</text>'


@dataclass
class _Block:
    """A wrapped, measured piece of text."""

    lines: list[str]
    width: float
    height: float


def _block(text: str, wrap: float, size: float = FONT, bold: bool = False) -> _Block:
    if not text:
        return _Block([], 0.0, 0.0)
    lines = [line.strip() for line in wrap_text(text, size, wrap, bold)]
    width = max(text_width(line, size, bold) for line in lines)
    return _Block(lines, width, len(lines) * LINE * size / FONT)


@dataclass
class _Frame:
    """A fragment being laid out: its top, its else separators, and its content extent."""

    group: Group
    top: float
    depth: int
    elses: list[tuple[float, Branch]] = field(default_factory=list)
    left: float = math.inf
    right: float = -math.inf


@dataclass
class _Section:
    """A provenance change in the gutter."""

    y: float
    prov: Provenance


class _Renderer:
    """Holds the state of one rendering; `render` runs both passes and serialises."""

    def __init__(self, diagram: Diagram, options: RenderOptions) -> None:
        self.d = diagram
        self.opt = options
        self.index = {p.id: i for i, p in enumerate(diagram.participants)}
        self.blocks: dict[int, _Block] = {}
        # Layers, painted in this order.
        self.frames: list[str] = []
        self.sections: list[float] = []
        self.lifelines: list[str] = []
        self.bars: list[str] = []
        self.frame_labels: list[str] = []
        self.fore: list[str] = []
        self.boxes: list[str] = []
        self.minx = self.miny = math.inf
        self.maxx = self.maxy = -math.inf
        self.x: list[float] = []
        self.box_w: list[float] = []
        self.box_h = self.rect_h = 0.0
        self.created = self._created()
        self.gutter: list[_Section] = []

    # -- bookkeeping -----------------------------------------------------------------------

    def extend(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Grow the drawing's bounding box and the innermost open frame's extent."""
        self.minx, self.maxx = min(self.minx, x0, x1), max(self.maxx, x0, x1)
        self.miny, self.maxy = min(self.miny, y0, y1), max(self.maxy, y0, y1)
        if getattr(self, "open_frames", None):
            frame = self.open_frames[-1]
            frame.left, frame.right = min(frame.left, x0, x1), max(frame.right, x0, x1)

    def measure(self, element: object, text: str, wrap: float) -> _Block:
        key = id(element)
        block = self.blocks.get(key)
        if block is None:
            block = self.blocks[key] = _block(text, wrap)
        return block

    def label(self, msg: Message) -> str:
        return f"{msg.number}. {msg.text}" if msg.number is not None else msg.text

    def _created(self) -> set[str]:
        """Participants whose box appears where a `->*` message creates them."""
        created: set[str] = set()
        seen: set[str] = set()
        for kind, obj, _depth in events(self.d.items):
            if kind != ITEM:
                continue
            if isinstance(obj, Message):
                if obj.create_target and obj.target not in seen and obj.target != obj.source:
                    created.add(obj.target)
                seen.update((obj.source, obj.target))
            elif isinstance(obj, (Note, Activation)):
                seen.update(obj.participants if isinstance(obj, Note) else (obj.participant,))
        return created

    # -- horizontal pass -------------------------------------------------------------------

    def columns(self) -> None:
        """Place lifelines: boxes side by side, then widen gaps until every span fits."""
        parts = self.d.participants
        self.box_w = []
        heights = []
        for part in parts:
            block = _block(part.label, 220.0, PART_FONT, bold=True)
            self.blocks[id(part)] = block
            self.box_w.append(max(MIN_BOX, block.width + 2 * BOX_PAD_X))
            heights.append(block.height)
        self.rect_h = (max(heights) if heights else LINE) + 2 * BOX_PAD_Y
        self.box_h = self.rect_h
        if any(p.kind == "actor" for p in parts):
            self.box_h += 30.0  # room for the stick figure
        count = len(parts)
        gaps = [(self.box_w[i] + self.box_w[i + 1]) / 2 + COL_GAP for i in range(count - 1)]
        needs: dict[tuple[int, int], float] = {}

        def need(a: int, b: int, distance: float) -> None:
            if 0 <= a < b < count:
                needs[(a, b)] = max(needs.get((a, b), 0.0), distance)

        for kind, obj, _depth in events(self.d.items):
            if kind != ITEM:
                continue
            if isinstance(obj, Message):
                self.column_needs_message(obj, need)
            elif isinstance(obj, Note):
                self.column_needs_note(obj, need)
        for (a, b), distance in sorted(needs.items(), key=lambda kv: (kv[0][1] - kv[0][0], kv[0])):
            have = sum(gaps[a:b])
            if have < distance:
                extra = (distance - have) / (b - a)
                for k in range(a, b):
                    gaps[k] += extra
        self.x = [0.0]
        for gap in gaps:
            self.x.append(self.x[-1] + gap)

    def column_needs_message(self, msg: Message, need) -> None:
        block = self.measure(msg, self.label(msg), MSG_WRAP)
        a, b = self.index[msg.source], self.index[msg.target]
        if a == b:
            need(a, a + 1, BAR + SELF_W + 12 + block.width + 8)
            return
        lo, hi = min(a, b), max(a, b)
        need(lo, hi, block.width + 2 * BAR + 24)

    def column_needs_note(self, note: Note, need) -> None:
        block = self.measure(note, note.text, NOTE_WRAP)
        width = block.width + 2 * PAD + (14 if note.kind is NoteKind.REF else 0)
        ids = [self.index[p] for p in note.participants]
        if note.position is NotePosition.LEFT:
            need(ids[0] - 1, ids[0], width + BAR + 14)
        elif note.position is NotePosition.RIGHT:
            need(ids[0], ids[0] + 1, width + BAR + 14)
        elif len(ids) == 1 or ids[0] == ids[-1]:
            # Clear the neighbours' lifelines and (one level of) their activation bars.
            need(ids[0] - 1, ids[0], width / 2 + BAR + 8)
            need(ids[0], ids[0] + 1, width / 2 + BAR + 8)
        else:
            lo, hi = min(ids), max(ids)
            need(lo, hi, width - 24)
            need(lo - 1, lo, 16)
            need(hi, hi + 1, 16)

    # -- vertical pass ---------------------------------------------------------------------

    def render(self) -> str:
        self.columns()
        self.open_frames: list[_Frame] = []
        self.stacks: dict[str, list[float]] = {p.id: [] for p in self.d.participants}
        self.ended: dict[str, float] = {}
        self.starts: dict[str, float] = {}
        self.anchor: float | None = None  # y of the last arrow, while nothing follows it
        self.last_prov: Provenance | None = None
        y = self.box_h + 20.0 if self.d.participants else 0.0
        self.next_names = y + REPEAT_NAMES
        for part in self.d.participants:
            if part.id not in self.created:
                self.draw_box(part, 0.0, 1.0)
                self.starts[part.id] = self.box_h
        for kind, obj, depth in events(self.d.items):
            y = self.step(kind, obj, depth, y)
        while self.open_frames:  # cannot happen after a successful parse; be safe
            y = self.close_frame(y)
        bottom = y + 10.0
        self.finish_lifelines(bottom)
        if self.opt.legend:
            self.legend(self.maxy + 24.0)
        return self.serialise()

    # -- legend ----------------------------------------------------------------------------

    def legend(self, top: float) -> None:
        """Under the diagram: what its arrows and frames mean, then the draft's header notes
        (driver, network API, options at their defaults, what is not drawn), which are
        `# note:` comments in the .wsd and would be seen nowhere else."""
        kinds, framed, guarded = set(), False, False
        for kind, obj, _ in events(self.d.items):
            framed = framed or kind == OPEN
            if kind == ITEM and isinstance(obj, (Message, Note)):
                guarded = guarded or obj.text.startswith(("[", "*["))
                if isinstance(obj, Message):
                    kinds.add((obj.head, obj.dashed))
        notes = [c.text[len("note: "):] for c in self._leading_comments()
                 if c.text.startswith("note: ")]
        if not kinds and not notes:
            return
        left = self.minx if self.minx <= self.maxx else 0.0
        width = max(self.maxx - self.minx, 520.0)
        size = FONT * 0.9
        x, y = left, top
        for head, dashed, meaning in LEGEND_ARROWS:
            if (head, dashed) not in kinds:
                continue
            span = 48.0 + 8.0 + text_width(meaning, size) + 24.0
            if x > left and x + span > left + width:
                x, y = left, y + LINE
            sample = Message("", "", dashed=dashed, head=head)
            self.fore += self.arrow(sample, x, y - 4.0, x + 48.0, y - 4.0)
            self.fore.append(_text(x + 56.0, y, meaning, font_size=num(size)))
            self.extend(x, y - LINE, x + span, y + 4.0)
            x += span
        key = " ".join([LEGEND_FRAMES] * framed + [LEGEND_GUARDS] * guarded)
        lines = [key] * bool(key) + notes
        for text in lines:
            block = _block(text, width, size)
            for line in block.lines:
                y += LINE * size / FONT
                self.fore.append(_text(left, y, line, font_size=num(size), fill=GUTTER_INK))
            self.extend(left, y - LINE, left + block.width, y + 4.0)

    def _leading_comments(self) -> list[Comment]:
        out = []
        for item in self.d.items:
            if not isinstance(item, Comment):
                break
            out.append(item)
        return out

    def step(self, kind: str, obj: object, depth: int, y: float) -> float:
        if y >= self.next_names and (kind == OPEN or isinstance(obj, (Message, Note))):
            y = self.name_tags(y)
        if kind == OPEN:
            assert isinstance(obj, Group)
            self.section(obj.provenance, y)
            return self.open_frame(obj, depth, y)
        if kind == ELSE:
            assert isinstance(obj, Branch)
            return self.else_branch(obj, y)
        if kind == CLOSE:
            return self.close_frame(y)
        if isinstance(obj, Message):
            self.section(obj.provenance, y)
            return self.message(obj, y)
        if isinstance(obj, Note):
            self.section(obj.provenance, y)
            return self.note(obj, y)
        if isinstance(obj, Activation):
            return self.activation(obj, y)
        return y  # comments and autonumber switches draw nothing

    def name_tags(self, y: float) -> float:
        """A row of small participant name tags, so a tall diagram stays readable mid-page."""
        top = y
        for part in self.d.participants:
            if part.id not in self.starts or part.id in self.ended:
                continue
            x = self.x[self.index[part.id]]
            label = part.label.split("\n")[0]
            width = text_width(label, SMALL, True) + 10
            self.boxes.append(
                f'<rect x="{num(x - width / 2)}" y="{num(top)}" width="{num(width)}" height="16" '
                f'rx="8" fill="{BOX_FILL}" stroke="{BOX_STROKE}" stroke-opacity="0.5"/>'
                + _text(x, top + 12, label, "middle", font_size=num(SMALL), font_weight="bold",
                        fill=BOX_STROKE)
            )
        self.anchor = None
        self.next_names = top + 16 + REPEAT_NAMES
        return top + 16 + ROW_GAP

    def section(self, prov: Provenance | None, y: float) -> None:
        """Start a new gutter section where the source function changes."""
        if prov is None:
            return
        last = self.last_prov
        if last is not None and (last.path, last.function) == (prov.path, prov.function):
            return
        self.last_prov = prov
        self.gutter.append(_Section(y - 4.0, prov))

    # bars ---------------------------------------------------------------------------------

    def bar_edge(self, pid: str, toward: float) -> float:
        """x where an arrow meets `pid`'s lifeline: the edge of its innermost bar, if any."""
        x = self.x[self.index[pid]]
        depth = len(self.stacks[pid])
        if depth == 0:
            return x
        centre = x + (depth - 1) * BAR_STEP
        return centre + BAR / 2 if toward > centre else centre - BAR / 2

    def activate(self, pid: str, y: float) -> None:
        if pid in self.ended:
            return
        self.stacks[pid].append(y)

    def deactivate(self, pid: str, y: float) -> None:
        stack = self.stacks[pid]
        if not stack:
            return  # unbalanced deactivate in hand-written input: nothing to close
        start = stack.pop()
        self.draw_bar(pid, len(stack), start, max(y, start + 8.0))

    def draw_bar(self, pid: str, level: int, top: float, bottom: float) -> None:
        x = self.x[self.index[pid]] + level * BAR_STEP - BAR / 2
        fill = BAR_FILL[min(level, len(BAR_FILL) - 1)]
        self.bars.append(
            f'<rect x="{num(x)}" y="{num(top)}" width="{num(BAR)}" height="{num(bottom - top)}" '
            f'fill="{fill}" stroke="{BOX_STROKE}"/>'
        )
        self.extend(x, top, x + BAR, bottom)

    def activation(self, act: Activation, y: float) -> float:
        at = self.anchor if self.anchor is not None else y - ROW_GAP / 2
        if act.action is ActivationAction.ACTIVATE:
            self.activate(act.participant, at)
        elif act.action is ActivationAction.DEACTIVATE:
            self.deactivate(act.participant, at)
        else:
            self.destroy(act.participant, at)
        return y

    def destroy(self, pid: str, y: float) -> None:
        while self.stacks[pid]:
            self.deactivate(pid, y)
        if pid in self.ended:
            return
        self.ended[pid] = y
        x = self.x[self.index[pid]]
        self.fore.append(
            f'<path d="M{num(x - 8)} {num(y - 8)}L{num(x + 8)} {num(y + 8)}M{num(x - 8)} {num(y + 8)}'
            f'L{num(x + 8)} {num(y - 8)}" stroke="#b3261e" stroke-width="2.5"/>'
        )
        self.extend(x - 8, y - 8, x + 8, y + 8)

    # messages -----------------------------------------------------------------------------

    def message(self, msg: Message, y: float) -> float:
        if msg.source == msg.target:
            return self.self_message(msg, y)
        block = self.measure(msg, self.label(msg), MSG_WRAP)
        top = y
        arrow_y = top + block.height + (6.0 if block.lines else 4.0)
        drop = min(msg.delay or 0, 20) * 8.0
        creating = msg.target in self.created and msg.target not in self.starts
        if creating:
            part = self.d.participants[self.index[msg.target]]
            self.draw_box(part, arrow_y - self.box_h / 2, 0.5)
            half_h = (self.box_h if part.kind == "actor" else self.rect_h) / 2
            self.starts[msg.target] = arrow_y + half_h
        if msg.activate_target:
            self.activate(msg.target, arrow_y + drop)
        tx = self.x[self.index[msg.target]]
        sx = self.bar_edge(msg.source, tx)
        if creating:
            half = self.box_w[self.index[msg.target]] / 2
            ex = tx - half if tx > sx else tx + half
        else:
            ex = self.bar_edge(msg.target, sx)
        if msg.deactivate_source:
            self.deactivate(msg.source, arrow_y)
        parts = self.arrow(msg, sx, arrow_y, ex, arrow_y + drop)
        labels: list[str] = []
        centre = (sx + ex) / 2
        for k, line in enumerate(block.lines):
            labels.append(
                _text(centre, top + (k + 1) * LINE - 4, line, "middle",
                      stroke="#ffffff", stroke_width="3", paint_order="stroke",
                      stroke_linejoin="round")
            )
            half = text_width(line, FONT) / 2
            self.extend(centre - half, top, centre + half, top + (k + 1) * LINE)
        self.extend(min(sx, ex), arrow_y - HEAD_HALF, max(sx, ex), arrow_y + drop + HEAD_HALF)
        if msg.link:  # the arrow opens its source, its label the other project's diagram
            href = esc(self.opt.output_prefix + msg.link)
            self.fore.append(self.linked(msg.provenance, parts))
            self.fore.append(f'<a href="{href}" xlink:href="{href}"><title>{href}</title>'
                             + "".join(labels) + "</a>")
        else:
            self.fore.append(self.linked(msg.provenance, parts + labels))
        self.anchor = arrow_y + drop
        end = arrow_y + drop + ROW_GAP
        if creating:
            end = max(end, arrow_y + self.box_h / 2 + 6.0)
        return end

    def arrow(self, msg: Message, x0: float, y0: float, x1: float, y1: float) -> list[str]:
        """The shaft and head(s) of a message from (x0, y0) to (x1, y1)."""
        colour = CAST if msg.head is Head.OPEN else INK
        dash = ' stroke-dasharray="6 4"' if msg.dashed else ""
        out = [
            f'<path d="M{num(x0)} {num(y0)}L{num(x1)} {num(y1)}" stroke="{colour}" '
            f'stroke-width="1.3"{dash} fill="none"/>'
        ]
        out.append(self.head(msg.head, x0, y0, x1, y1, colour))
        if msg.bidirectional:
            out.append(self.head(msg.head, x1, y1, x0, y0, colour))
        return out

    def head(self, head: Head, x0: float, y0: float, x1: float, y1: float, colour: str) -> str:
        """An arrowhead at (x1, y1) pointing away from (x0, y0)."""
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        if head is Head.CROSS:
            size = 5.0
            bx, by = x1 - ux * size, y1 - uy * size
            return (
                f'<path d="M{num(bx - size)} {num(by - size)}L{num(bx + size)} {num(by + size)}'
                f'M{num(bx - size)} {num(by + size)}L{num(bx + size)} {num(by - size)}" '
                f'stroke="{colour}" stroke-width="1.8"/>'
            )
        bx, by = x1 - ux * HEAD_LEN, y1 - uy * HEAD_LEN
        px, py = -uy * HEAD_HALF, ux * HEAD_HALF
        points = f"M{num(bx + px)} {num(by + py)}L{num(x1)} {num(y1)}L{num(bx - px)} {num(by - py)}"
        if head is Head.OPEN:
            return f'<path d="{points}" stroke="{colour}" stroke-width="1.3" fill="none"/>'
        return f'<path d="{points}Z" fill="{colour}" stroke="{colour}" stroke-width="1"/>'

    def self_message(self, msg: Message, y: float) -> float:
        block = self.measure(msg, self.label(msg), MSG_WRAP)
        x = self.bar_edge(msg.source, math.inf)
        top = y
        loop_top = top + 6.0
        loop_bottom = loop_top + max(16.0, block.height - 4.0)
        if msg.activate_target:
            self.activate(msg.source, loop_bottom)
        x_back = self.bar_edge(msg.source, math.inf)
        colour = CAST if msg.head is Head.OPEN else INK
        dash = ' stroke-dasharray="6 4"' if msg.dashed else ""
        parts = [
            f'<path d="M{num(x)} {num(loop_top)}H{num(x + SELF_W)}V{num(loop_bottom)}H{num(x_back)}" '
            f'stroke="{colour}" stroke-width="1.3"{dash} fill="none"/>',
            self.head(msg.head, x + SELF_W, loop_bottom, x_back, loop_bottom, colour),
        ]
        lx = x + SELF_W + 8.0
        for k, line in enumerate(block.lines):
            parts.append(_text(lx, top + (k + 1) * LINE - 2, line))
        self.extend(x, top, lx + block.width, max(loop_bottom, top + block.height))
        if msg.deactivate_source:
            self.deactivate(msg.source, loop_bottom)
        self.fore.append(self.linked(msg.provenance, parts))
        self.anchor = loop_bottom
        return max(loop_bottom, top + block.height) + ROW_GAP

    # notes --------------------------------------------------------------------------------

    def note_span(self, note: Note, width: float) -> tuple[float, float]:
        """Left and right x of a note box."""
        xs = [self.x[self.index[p]] for p in note.participants]
        if note.position is NotePosition.LEFT:
            edge = self.bar_edge(note.participants[0], -math.inf)
            return edge - 6 - width, edge - 6
        if note.position is NotePosition.RIGHT:
            edge = self.bar_edge(note.participants[0], math.inf)
            return edge + 6, edge + 6 + width
        lo, hi = min(xs), max(xs)
        if lo == hi:
            return lo - width / 2, lo + width / 2
        left, right = lo - 12, hi + 12
        if right - left < width:
            grow = (width - (right - left)) / 2
            left, right = left - grow, right + grow
        return left, right

    def note(self, note: Note, y: float) -> float:
        block = self.measure(note, note.text, NOTE_WRAP)
        tab = 14.0 if note.kind is NoteKind.REF else 0.0
        width = block.width + 2 * PAD + tab
        height = max(block.height, LINE) + 2 * PAD - 2
        if note.kind is NoteKind.REF:
            height += LINE
        left, right = self.note_span(note, width)
        top = y + 2.0
        parts = [self.note_shape(note.kind, left, top, right, top + height)]
        text_top = top + PAD + (LINE if note.kind is NoteKind.REF else 0.0)
        centred = note.kind is not NoteKind.NOTE
        for k, line in enumerate(block.lines):
            base = text_top + (k + 1) * LINE - 4
            if centred:
                parts.append(_text((left + right) / 2, base, line, "middle"))
            else:
                parts.append(_text(left + PAD, base, line))
        self.extend(left, top, right, top + height)
        self.fore.append(self.linked(note.provenance, parts))
        self.anchor = None
        return top + height + 8.0

    def note_shape(self, kind: NoteKind, x0: float, y0: float, x1: float, y1: float) -> str:
        if kind is NoteKind.STATE:
            return (
                f'<rect x="{num(x0)}" y="{num(y0)}" width="{num(x1 - x0)}" height="{num(y1 - y0)}" '
                f'rx="8" fill="{STATE_FILL}" stroke="{STATE_STROKE}"/>'
            )
        if kind is NoteKind.REF:
            tab_w = text_width("ref", SMALL, True) + 16
            return (
                f'<rect x="{num(x0)}" y="{num(y0)}" width="{num(x1 - x0)}" height="{num(y1 - y0)}" '
                f'fill="#ffffff" stroke="{FRAME_STROKE}" stroke-width="1.2"/>'
                f'<path d="M{num(x0)} {num(y0 + 16)}H{num(x0 + tab_w - 5)}L{num(x0 + tab_w)} '
                f'{num(y0 + 11)}V{num(y0)}" fill="{FRAME_TAB}" stroke="{FRAME_STROKE}"/>'
                + _text(x0 + 5, y0 + 12, "ref", font_size=num(SMALL), font_weight="bold")
            )
        fold = 8.0
        return (
            f'<path d="M{num(x0)} {num(y0)}H{num(x1 - fold)}L{num(x1)} {num(y0 + fold)}'
            f'V{num(y1)}H{num(x0)}Z" fill="{NOTE_FILL}" stroke="{NOTE_STROKE}"/>'
            f'<path d="M{num(x1 - fold)} {num(y0)}V{num(y0 + fold)}H{num(x1)}" fill="none" '
            f'stroke="{NOTE_STROKE}"/>'
        )

    # frames -------------------------------------------------------------------------------

    def header_block(self, word: str, label: str) -> tuple[float, _Block]:
        tab_w = text_width(word, SMALL, True) + 18
        return tab_w, _block(f"[{label}]" if label else "", MSG_WRAP)

    def open_frame(self, group: Group, depth: int, y: float) -> float:
        top = y + 2.0
        _, block = self.header_block(group.kind.value, group.label)
        self.open_frames.append(_Frame(group, top, depth))
        self.anchor = None
        return top + max(LINE + 6, block.height + 6) + 6.0

    def else_branch(self, branch: Branch, y: float) -> float:
        frame = self.open_frames[-1]
        sep = y
        frame.elses.append((sep, branch))
        _, block = self.header_block("", branch.label)
        self.anchor = None
        return sep + max(block.height, 6.0) + 8.0

    def close_frame(self, y: float) -> float:
        frame = self.open_frames.pop()
        bottom = y + 2.0
        tab_w, block = self.header_block(frame.group.kind.value, frame.group.label)
        if frame.left > frame.right:  # empty fragment: anchor it at the first lifeline
            frame.left = frame.right = self.x[0] if self.x else 0.0
        left = frame.left - FRAME_PAD
        right = frame.right + FRAME_PAD
        need = tab_w + 8 + block.width + 8
        for _sep, branch in frame.elses:
            need = max(need, _block(f"[{branch.label}]", MSG_WRAP).width + 16)
        right = max(right, left + need)
        self.draw_frame(frame, left, right, bottom, tab_w, block)
        self.extend(left, frame.top, right, bottom)  # grows the parent frame too
        self.anchor = None
        return bottom + 8.0

    def draw_frame(self, frame: _Frame, left: float, right: float, bottom: float,
                   tab_w: float, block: _Block) -> None:
        top = frame.top
        self.frames.append(
            f'<rect x="{num(left)}" y="{num(top)}" width="{num(right - left)}" '
            f'height="{num(bottom - top)}" fill="#000000" fill-opacity="0.025" '
            f'stroke="{FRAME_STROKE}" stroke-width="1.2"/>'
        )
        labels = self.frame_labels
        tab_h = LINE + 4
        labels.append(
            f'<path d="M{num(left)} {num(top)}H{num(left + tab_w)}V{num(top + tab_h - 6)}'
            f'L{num(left + tab_w - 6)} {num(top + tab_h)}H{num(left)}Z" fill="{FRAME_TAB}" '
            f'stroke="{FRAME_STROKE}" stroke-width="1.2"/>'
        )
        labels.append(
            _text(left + 6, top + LINE - 2, frame.group.kind.value,
                  font_size=num(SMALL), font_weight="bold")
        )
        for k, line in enumerate(block.lines):
            labels.append(self.halo_text(left + tab_w + 8, top + (k + 1) * LINE - 2, line))
        for sep, branch in frame.elses:
            labels.append(
                f'<path d="M{num(left)} {num(sep)}H{num(right)}" stroke="{ELSE_STROKE}" '
                f'stroke-dasharray="5 3" fill="none"/>'
            )
            if branch.label:
                else_block = _block(f"[{branch.label}]", MSG_WRAP)
                for k, line in enumerate(else_block.lines):
                    labels.append(self.halo_text(left + 8, sep + (k + 1) * LINE - 1, line))

    @staticmethod
    def halo_text(x: float, y: float, line: str) -> str:
        """Condition text with a white halo so lifelines do not cross through it."""
        return _text(x, y, line, font_style="italic", fill="#3d4450", stroke="#ffffff",
                     stroke_width="3", paint_order="stroke", stroke_linejoin="round")

    # participants and lifelines -----------------------------------------------------------

    def draw_box(self, part: Participant, top: float, align: float) -> None:
        """A participant's box in the header area starting at `top`.

        Header areas are as tall as the tallest participant (an actor's figure adds height);
        `align` places shorter boxes in it: 1 at the bottom (top row, next to the lifelines),
        0 at the top (bottom row), 0.5 centred (a box created mid-diagram).
        """
        i = self.index[part.id]
        x, width = self.x[i], self.box_w[i]
        block = self.blocks[id(part)]
        out = []
        if part.kind == "actor":
            out.append(self.stick_figure(x, top + 2))
            text_top = top + self.box_h - self.rect_h + BOX_PAD_Y
        else:
            rect_top = top + (self.box_h - self.rect_h) * align
            out.append(
                f'<rect x="{num(x - width / 2)}" y="{num(rect_top)}" width="{num(width)}" '
                f'height="{num(self.rect_h)}" rx="4" fill="{BOX_FILL}" stroke="{BOX_STROKE}" '
                f'stroke-width="1.3"/>'
            )
            text_top = rect_top + BOX_PAD_Y
        for k, line in enumerate(block.lines):
            out.append(_text(x, text_top + (k + 1) * LINE - 4, line, "middle",
                             font_weight="bold", font_size=num(PART_FONT)))
        self.boxes.append("".join(out))
        self.extend(x - width / 2, top, x + width / 2, top + self.box_h)

    @staticmethod
    def stick_figure(x: float, top: float) -> str:
        return (
            f'<g fill="none" stroke="{BOX_STROKE}" stroke-width="1.5">'
            f'<circle cx="{num(x)}" cy="{num(top + 5)}" r="5"/>'
            f'<path d="M{num(x)} {num(top + 10)}V{num(top + 20)}M{num(x - 8)} {num(top + 14)}'
            f'H{num(x + 8)}M{num(x)} {num(top + 20)}L{num(x - 7)} {num(top + 28)}'
            f'M{num(x)} {num(top + 20)}L{num(x + 7)} {num(top + 28)}"/></g>'
        )

    def finish_lifelines(self, bottom: float) -> None:
        """Close open bars, draw lifelines and the bottom row of boxes."""
        for part in self.d.participants:
            end = self.ended.get(part.id, bottom)
            while self.stacks[part.id]:
                self.deactivate(part.id, end)
            start = self.starts.get(part.id)
            if start is None:
                continue  # created but never reached (cannot happen); draw nothing
            x = self.x[self.index[part.id]]
            self.lifelines.append(
                f'<path d="M{num(x)} {num(start)}V{num(end)}" stroke="{LIFELINE}" '
                f'stroke-dasharray="4 3" fill="none"/>'
            )
            if part.id not in self.ended:
                self.draw_box(part, bottom, 0.0)

    # output -------------------------------------------------------------------------------

    def linked(self, prov: Provenance | None, parts: list[str]) -> str:
        body = "".join(parts)
        if prov is None:
            return body
        href = esc(provenance_href(prov, self.opt))
        return f'<a href="{href}" xlink:href="{href}"><title>{esc(prov.text())}</title>{body}</a>'

    def gutter_parts(self) -> tuple[list[str], list[str]]:
        """Section rules across the diagram and function names in the right-hand gutter."""
        if not self.opt.gutter or not self.gutter:
            return [], []
        rules, names = [], []
        left, x = self.minx, self.maxx + 24.0
        widest = 0.0
        for i, section in enumerate(self.gutter):
            rules.append(
                f'<path d="M{num(left)} {num(section.y)}H{num(x - 6)}" stroke="{SECTION}" '
                f'stroke-dasharray="1 3" fill="none"/>'
            )
            # Sections can be a single row apart: show as much as fits before the next one.
            room = self.gutter[i + 1].y - section.y if i + 1 < len(self.gutter) else math.inf
            label = section.prov.function or section.prov.path.rsplit("/", 1)[-1]
            path = section.prov.path
            lines = [_text(x, section.y + SMALL, label, font_size=num(SMALL), fill=INK)]
            widest = max(widest, text_width(label, SMALL))
            if room >= 2 * SMALL + 6:
                lines.append(_text(x, section.y + 2 * SMALL + 2, path,
                                   font_size=num(SMALL - 1.5), fill=GUTTER_INK))
                widest = max(widest, text_width(path, SMALL - 1.5))
            elif room < SMALL + 2:
                lines = []
            if lines:
                names.append(self.linked(section.prov, lines))
        self.extend(x, self.miny, x + widest, self.maxy)
        return rules, names

    def serialise(self) -> str:
        # The title centres over the diagram itself, not over the gutter beside it.
        body_minx, body_maxx = self.minx, self.maxx
        rules, names = self.gutter_parts()
        if self.minx > self.maxx:  # nothing drawn at all
            self.minx = self.maxx = self.miny = self.maxy = 0.0
        title: list[str] = []
        title_h = 0.0
        if self.d.title:
            block = _block(self.d.title, max(self.maxx - self.minx, 400.0), TITLE_FONT, True)
            title_h = block.height + 14.0
            centre = (body_minx + body_maxx) / 2 if body_minx <= body_maxx else 0.0
            for k, line in enumerate(block.lines):
                title.append(_text(centre, self.miny - title_h + (k + 1) * LINE * TITLE_FONT / FONT - 4,
                                   line, "middle", font_size=num(TITLE_FONT), font_weight="bold"))
            half = block.width / 2
            self.minx, self.maxx = min(self.minx, centre - half), max(self.maxx, centre + half)
        width = self.maxx - self.minx + 2 * MARGIN
        height = self.maxy - self.miny + title_h + 2 * MARGIN
        dx, dy = MARGIN - self.minx, MARGIN + title_h - self.miny
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{num(width)}" height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
            f'font-family="{FONT_FAMILY}" font-size="{num(FONT)}" fill="{INK}">\n'
        )
        doc = [head]
        if self.d.title:
            doc.append(f"<title>{esc(self.d.title)}</title>\n")
        doc.append(f'<rect width="{num(width)}" height="{num(height)}" fill="#ffffff"/>\n')
        doc.append(f'<g transform="translate({num(dx)} {num(dy)})">\n')
        for layer in (rules, self.frames, self.lifelines, self.bars, self.frame_labels,
                      self.boxes, self.fore, names, title):
            for item in layer:
                doc.append(item + "\n")
        doc.append("</g>\n</svg>\n")
        return "".join(doc)
