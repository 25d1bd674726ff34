"""Step-level expectations about traced flows, and the small matcher that checks them.

An expectation is data: which release and operation, what kind of check, the step pattern(s)
it is about, and `cite`, the release/file/function of Nova that proves it. `check(flow, e)`
returns None when the flow meets the expectation, else a message saying what was found.

Checks:

- `appears`: some step matches the pattern (inside a given kind of block, if `inside`);
- `absent`: no step matches (inside such a block, if `inside`; outside every such block,
  if `outside`: "it may only be drawn inside ...");
- `before`: the first step matching `a` comes before the first step matching `b`, both drawn;
- `exclusive`: `a` and `b` are both drawn, and never on one path: every pair of them lies in
  different branches of one `alt` (an early return drawn as an alternative), or under
  conditions that cannot hold together (the rest of a function drawn under
  `if not (<the ways it returned>)`, read from the branches' whole conditions);
- `apart`: `a` and `b` are both drawn, and no `a` goes to the participant a `b` goes to.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass

from tracer.model import Block, Flow, Step

# Steps a reader never sees: markers of where a traced function or a cast's work begins/ends.
INVISIBLE = {"enter", "leave", "start", "done"}

Text = str | re.Pattern[str]


def rx(pattern: str) -> re.Pattern[str]:
    """A text matched by `re.search` rather than compared exactly."""
    return re.compile(pattern)


def _matches(text: Text | None, value: str | None) -> bool:
    if text is None:
        return True
    if value is None:
        return False
    if isinstance(text, str):
        return text == value
    return text.search(value) is not None


def _anchored(want: str | None, anchor: str) -> bool:
    """`want` names the function a step or block comes from, by its dotted tail
    (`API._delete`, `LibvirtDriver.reboot`)."""
    return want is None or anchor == want or anchor.endswith("." + want)


_FIELD_SPLIT = re.compile(r",\s+(?=[\w.\[\]'\"]+=)")


def fields_of(text: str) -> list[tuple[str, str]]:
    """The `name=value` pairs of a write's text, `instance.save (a=1, b=X or Y)`."""
    start = text.find(" (")
    if start < 0 or not text.endswith(")"):
        return []
    inner = text[start + 2:-1]
    pairs = []
    for part in _FIELD_SPLIT.split(inner):
        name, eq, value = part.partition("=")
        if eq:
            pairs.append((name.strip(), value.strip()))
    return pairs


def _has_field(spec: str | None, text: str) -> bool:
    """`spec` is `name` or `name=value`, each a regular expression: the write sets a field
    whose whole name matches, to a value in which `value` appears as a word."""
    if spec is None:
        return True
    name, eq, value = spec.partition("=")
    for got_name, got_value in fields_of(text):
        if not re.fullmatch(name, got_name):
            continue
        if not eq or re.search(rf"(?<![\w]){value}(?![\w])", got_value):
            return True
    return False


@dataclass(frozen=True)
class Pat:
    """A step: its kind (None: any visible kind), participants, text, for writes a field,
    and optionally the traced function it comes from."""

    kind: str | None
    source: Text | None = None
    target: Text | None = None
    text: Text | None = None
    field: str | None = None
    anchor: str | None = None

    def matches(self, step: Step) -> bool:
        if step.kind in INVISIBLE:
            return False
        return ((self.kind is None or step.kind == self.kind)
                and _matches(self.source, step.source)
                and (self.target is None or _matches(self.target, step.target))
                and _matches(self.text, step.text)
                and _has_field(self.field, step.text)
                and _anchored(self.anchor, step.anchor))

    def describe(self) -> str:
        def show(t):
            return t.pattern if isinstance(t, re.Pattern) else t
        arrow = f"{self.source or '*'}->{self.target or '*'}"
        out = f"{self.kind or 'any'} {arrow} {show(self.text) or '*'}"
        if self.field:
            out += f" [{self.field}]"
        if self.anchor:
            out += f" in {self.anchor}"
        return out


@dataclass(frozen=True)
class Inside:
    """A block around a step: its kind (opt/alt/loop), a regular expression searched in the
    branch label, the traced function the block comes from. None matches anything."""

    kind: str | None = None
    label: str | None = None
    anchor: str | None = None

    def matches(self, block: Block, label: str) -> bool:
        return ((self.kind is None or block.kind == self.kind)
                and (self.label is None or re.search(self.label, label) is not None)
                and _anchored(self.anchor, block.anchor))


@dataclass(frozen=True)
class Expectation:
    release: str
    op: str
    check: str  # appears, absent, before, exclusive, apart
    a: Pat
    cite: str  # release, file, function and what in it proves the expectation
    b: Pat | None = None
    inside: Inside | None = None
    outside: Inside | None = None
    name: str = ""
    xfail: str | None = None  # why it fails today: the issue #18 item
    about: str = ""  # the #18 item a passing record guards, if any

    @property
    def id(self) -> str:
        return f"{self.release}-{self.op}-{self.check}-{self.name}"

    @property
    def item(self) -> str:
        """`#18.N` for the records about an item of issue #18, `unlisted` for a failure the
        issue does not list, `general` for the ordinary truths."""
        if self.about:
            return self.about
        if self.xfail:
            return self.xfail.split()[0] if self.xfail.startswith("#18") else "unlisted"
        return "general"


# ---------------------------------------------------------------------------------- matching

# (step, ancestors): each ancestor is (block, branch index, branch label), outermost first
Placed = tuple[Step, tuple[tuple[Block, int, str], ...]]


def placed_steps(flow: Flow) -> list[Placed]:
    out: list[Placed] = []

    def walk(nodes, ancestors):
        for node in nodes:
            if isinstance(node, Block):
                for i, branch in enumerate(node.branches):
                    walk(branch.nodes, ancestors + ((node, i, branch.label),))
            else:
                out.append((node, ancestors))

    walk(flow.nodes, ())
    return out


def _within(ancestors, inside: Inside) -> bool:
    return any(inside.matches(block, label) for block, _, label in ancestors)


def _separated(one, other) -> bool:
    """On different branches of one block (so never both on one path)."""
    for (block_a, branch_a, _), (block_b, branch_b, _) in zip(one, other):
        if block_a is not block_b:
            return False
        if branch_a != branch_b:
            return True
    return False


def _path_conditions(ancestors) -> list[ast.expr]:
    """What must hold for a step to be reached: each `if` arm's condition, and for a
    later arm of an `alt`, the negation of the arms before it. Labels cut short with no
    whole condition kept, loops and other arms say nothing."""
    found = []
    for block, index, _ in ancestors:
        if block.kind not in ("opt", "alt"):
            continue
        arms = [_condition_of(branch) for branch in block.branches[:index + 1]]
        found += [ast.UnaryOp(ast.Not(), arm) for arm in arms[:-1] if arm is not None]
        if arms[-1] is not None:
            found.append(arms[-1])
    return found


def _condition_of(branch) -> ast.expr | None:
    text = branch.condition or branch.label
    if not text.startswith("if ") and not branch.condition or text.endswith("..."):
        return None
    try:
        return ast.parse(text.removeprefix("if "), mode="eval").body
    except SyntaxError:
        return None


def _truth(expr: ast.expr, atoms: dict[str, int], values: int) -> bool:
    """The truth of a condition when each atom (a comparison, name, call... that is not
    `and`, `or`, `not`) has the bit of `values` numbered in `atoms`."""
    if isinstance(expr, ast.BoolOp):
        parts = (_truth(v, atoms, values) for v in expr.values)
        return all(parts) if isinstance(expr.op, ast.And) else any(parts)
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return not _truth(expr.operand, atoms, values)
    return bool(values >> atoms[_atom(expr)] & 1)


_OPPOSITE = {ast.IsNot: ast.Is, ast.NotEq: ast.Eq, ast.NotIn: ast.In}


def _atom(expr: ast.expr) -> str:
    """An atom's key; `x is not None` is the atom `x is None`, negated (see _atoms)."""
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and type(expr.ops[0]) in _OPPOSITE:
        return ast.unparse(ast.Compare(expr.left, [_OPPOSITE[type(expr.ops[0])]()],
                                       expr.comparators))
    return ast.unparse(expr)


def _normal(expr: ast.expr) -> ast.expr:
    """`x is not None` as `not (x is None)`, all the way down."""
    if isinstance(expr, ast.BoolOp):
        return ast.BoolOp(expr.op, [_normal(v) for v in expr.values])
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return ast.UnaryOp(ast.Not(), _normal(expr.operand))
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and type(expr.ops[0]) in _OPPOSITE:
        return ast.UnaryOp(ast.Not(), ast.Compare(
            expr.left, [_OPPOSITE[type(expr.ops[0])]()], expr.comparators))
    return expr


def _contradict(one: list[ast.expr], other: list[ast.expr], most: int = 16) -> bool:
    """Whether the conditions of two paths cannot all hold at once, each atom taken as a
    free boolean that means the same on both paths (so a name tested before and after
    it is assigned again would be read as one). Undecided (False) beyond `most` atoms."""
    exprs = [_normal(e) for e in one + other]
    if not one or not other:
        return False
    atoms: dict[str, int] = {}
    for expr in exprs:
        for node in _atoms_of(expr):
            atoms.setdefault(_atom(node), len(atoms))
    if len(atoms) > most:
        return False
    return not any(all(_truth(e, atoms, values) for e in exprs)
                   for values in range(1 << len(atoms)))


def _atoms_of(expr: ast.expr):
    if isinstance(expr, ast.BoolOp):
        yield from itertools.chain.from_iterable(_atoms_of(v) for v in expr.values)
    elif isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        yield from _atoms_of(expr.operand)
    else:
        yield expr


def _show(found: list[Placed], limit: int = 6) -> str:
    lines = []
    for step, ancestors in found[:limit]:
        where = " / ".join(f"{b.kind} {label!r}" for b, _, label in ancestors) or "top level"
        lines.append(f"  {step.kind} {step.source}->{step.target}: {step.text}"
                     f"  ({step.file}:{step.line}; {where})")
    if len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more")
    return "\n".join(lines)


def _near(steps: list[Placed], pat: Pat) -> str:
    """Steps that share the pattern's kind and source: what the tracer drew instead."""
    near = [(s, a) for s, a in steps
            if (pat.kind is None or s.kind == pat.kind) and _matches(pat.source, s.source)]
    return _show(near, 12) if near else "  (no step of that kind from that participant)"


def check(flow: Flow, e: Expectation) -> str | None:
    steps = placed_steps(flow)
    found_a = [(s, a) for s, a in steps if e.a.matches(s)]
    if e.check == "appears":
        if e.inside:
            found_a = [(s, a) for s, a in found_a if _within(a, e.inside)]
        if found_a:
            return None
        where = f" inside {e.inside}" if e.inside else ""
        return f"not drawn{where}: {e.a.describe()}\nsteps drawn nearby:\n{_near(steps, e.a)}"
    if e.check == "absent":
        bad = found_a
        if e.inside:
            bad = [(s, a) for s, a in bad if _within(a, e.inside)]
        if e.outside:
            bad = [(s, a) for s, a in bad if not _within(a, e.outside)]
        if not bad:
            return None
        return f"drawn but must not be: {e.a.describe()}\n{_show(bad)}"
    assert e.b is not None, e.id
    found_b = [(s, a) for s, a in steps if e.b.matches(s)]
    missing = [p.describe() for p, f in ((e.a, found_a), (e.b, found_b)) if not f]
    if missing:
        return "not drawn: " + "; ".join(missing) + "\nsteps drawn nearby:\n" + \
            "\n".join(_near(steps, p) for p, f in ((e.a, found_a), (e.b, found_b)) if not f)
    if e.check == "before":
        # on every path that takes both, the first comes first: a `b` on another arm
        # (the legacy attach without attachment_update) says nothing about the order
        position = {id(s): i for i, (s, _) in enumerate(steps)}
        paired = [(y, [x for x in found_a if not _separated(x[1], y[1])]) for y in found_b]
        paired = [(y, xs) for y, xs in paired if xs]
        if not paired:
            return (f"never on one path: {e.a.describe()} and {e.b.describe()}\n"
                    f"{_show([found_a[0], found_b[0]])}")
        wrong = [(y, xs[0]) for y, xs in paired
                 if all(position[id(x[0])] > position[id(y[0])] for x in xs)]
        if not wrong:
            return None
        y, x = wrong[0]
        return (f"order wrong: {e.b.describe()} is drawn before {e.a.describe()}\n"
                f"{_show([y, x])}")
    if e.check == "exclusive":
        together = [(x, y) for x in found_a for y in found_b
                    if not _separated(x[1], y[1]) and not _contradict(
                        _path_conditions(x[1]), _path_conditions(y[1]))]
        if not together:
            return None
        x, y = together[0]
        return f"drawn on one path (the first must end it):\n{_show([x, y])}"
    if e.check == "apart":
        shared = [(x, y) for x in found_a for y in found_b if x[0].target == y[0].target]
        if not shared:
            return None
        x, y = shared[0]
        return f"both go to {x[0].target}, but their hosts differ:\n{_show([x, y])}"
    raise ValueError(f"unknown check {e.check!r} in {e.id}")


# ------------------------------------------------------------------------------- constructors

def step(kind, source=None, target=None, text=None, field=None, anchor=None) -> Pat:
    return Pat(kind, source, target, text, field, anchor)


def _plain(part) -> str:
    """A text or regular expression as words: `\\binstance\\.save\\b` -> `instance.save`."""
    text = part.pattern if isinstance(part, re.Pattern) else str(part)
    text = re.sub(r"\(\?\w+\)", "", text)  # inline flags
    text = re.sub(r"\\[bBwWsSd][*+?]?", "", text)  # character classes, word boundaries
    text = re.sub(r"\[[^\]]*\][*+?]?", "-", text)  # character sets
    return text.replace("\\.", ".")


def _slug(*parts) -> str:
    text = "-".join(_plain(p) for p in parts if p)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70].strip("-")


def _short(pat: Pat):
    """A write by its field, anything else by its text."""
    return pat.field or pat.text


def appears(op, release, kind, source, target, text, field=None, inside=None, anchor=None,
            *, cite, name="", xfail=None, about="") -> Expectation:
    a = step(kind, source, target, text, field, anchor)
    return Expectation(release, op, "appears", a, cite, inside=inside,
                       name=name or _slug(text, field), xfail=xfail, about=about)


def absent(op, release, kind, source, target, text, field=None, inside=None, outside=None,
           anchor=None, *, cite, name="", xfail=None, about="") -> Expectation:
    a = step(kind, source, target, text, field, anchor)
    return Expectation(release, op, "absent", a, cite, inside=inside, outside=outside,
                       name=name or _slug(text, field), xfail=xfail, about=about)


def before(op, release, a: Pat, b: Pat, *, cite, name="", xfail=None,
           about="") -> Expectation:
    return Expectation(release, op, "before", a, cite, b=b,
                       name=name or _slug(_short(a), "then", _short(b)), xfail=xfail,
                       about=about)


def exclusive(op, release, a: Pat, b: Pat, *, cite, name="", xfail=None,
              about="") -> Expectation:
    return Expectation(release, op, "exclusive", a, cite, b=b,
                       name=name or _slug(_short(a), "or", _short(b)), xfail=xfail, about=about)


def apart(op, release, a: Pat, b: Pat, *, cite, name="", xfail=None,
          about="") -> Expectation:
    return Expectation(release, op, "apart", a, cite, b=b,
                       name=name or _slug(_short(a), "vs", _short(b)), xfail=xfail, about=about)
