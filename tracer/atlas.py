"""The index page of a build: every operation, grouped so that 200 diagrams stay findable.

Each operation has a row: its name (the nova client's) and aliases, the request, the
backbone of its flow ("API → conductor (cast) → scheduler (call) → compute (cast)") read
from its drawn messages, how many RPCs and services it involves, and its pictures: the
overview first (every arrow that crosses a process), the full draft, the .wsd. Rows are
grouped by what the operation does (lifecycle, moves, volumes, networking, ...), and a
search box filters them as one types. The page is one static file: no script or style is
fetched from anywhere.

The servers API is split by what its operations do; every other resource of the API
(aggregates, hypervisors, flavors, ...) has its own heading.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from tracer.wsd.model import ITEM, Comment, Diagram, Head, Message, events

# What an operation does, by words of its name, action or path: the first that matches.
# Order matters: "attach-interface" is networking before anything else sees "attach".
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Consoles", ("console",)),
    ("Networking", ("interface", "floating", "fixed-ip", "fixedip", "secgroup",
                    "security", "network", "-ips")),
    ("Volumes", ("volume",)),
    ("Moves and resizes", ("migrat", "resize", "evacuate", "shelve", "rebuild",
                           "host-evacuate")),
    ("Metadata, tags and passwords", ("meta", "tag", "password")),
)
LIFECYCLE = "Lifecycle and state"
READS = "Reading servers"
PERIODIC = "Periodic tasks"
# The servers API's headings, in this order; then one per other resource of the API
# (`os-aggregates` under "Aggregates (os-aggregates)"), by name; periodic tasks last.
SERVER_TOPICS = (LIFECYCLE, "Moves and resizes", "Volumes", "Networking", "Consoles",
                 "Metadata, tags and passwords", READS)
# Resources of the servers API that are not under /servers.
SERVER_GROUPS = ("", "servers", "os-server-external-events", "os-migrations")


@dataclass(frozen=True)
class Facts:
    """What the page says of one drawn diagram, kept with the build's record so that a
    build with nothing to make reads no diagram back."""

    title: str
    request: str  # "POST /servers/{id}/action (pause)", from the draft's header
    backbone: str  # see `backbone`
    rpcs: int
    participants: int

    def to_json(self) -> dict:
        return {"title": self.title, "request": self.request, "backbone": self.backbone,
                "rpcs": self.rpcs, "participants": self.participants}

    @classmethod
    def from_json(cls, data) -> "Facts | None":
        """The facts a build record holds, or None when it holds none (or damaged ones)."""
        if not isinstance(data, dict):
            return None
        try:
            facts = cls(**data)
        except TypeError:
            return None
        types = (str, str, str, int, int)
        values = (facts.title, facts.request, facts.backbone, facts.rpcs, facts.participants)
        return facts if all(type(v) is t for v, t in zip(values, types)) else None


def facts_of(diagram: Diagram, project: str = "nova") -> Facts:
    rpcs, participants = counts(diagram, project)
    return Facts(diagram.title or "", request_of(diagram), backbone(diagram, project=project),
                 rpcs, participants)


def request_of(diagram: Diagram) -> str:
    """The request a draft's header names (`# request: POST /servers`)."""
    for item in diagram.items:
        if not isinstance(item, Comment):
            break
        if item.text.startswith("request: "):
            return item.text[len("request: "):]
    return ""


@dataclass(frozen=True)
class Row:
    """One operation on the page."""

    name: str
    aliases: tuple[str, ...]
    method: str  # HTTP method, or PERIODIC
    path: str
    group: str  # the API resource it belongs to ("servers", "os-aggregates", ...)
    links: tuple[tuple[str, str], ...]  # (label, href), the first is the default view
    facts: Facts | None  # None: its diagram could not be read


def topic(row: Row) -> str:
    """The heading an operation goes under."""
    if row.method == "PERIODIC":
        return PERIODIC
    if row.group not in SERVER_GROUPS:
        return resource_heading(row.group)
    words = " ".join((row.name, *row.aliases, row.path)).lower()
    for heading, needles in TOPICS:
        if any(needle in words for needle in needles):
            return heading
    return READS if row.method == "GET" else LIFECYCLE


def resource_heading(group: str) -> str:
    """`os-aggregates` -> "Aggregates (os-aggregates)"; `flavors` -> "Flavors"."""
    words = group.removeprefix("os-").replace("_", "-").split("-")
    name = " ".join(words).capitalize()
    return name if name.lower().replace(" ", "-") == group else f"{name} ({group})"


def _order(heading: str) -> tuple:
    if heading in SERVER_TOPICS:
        return (0, SERVER_TOPICS.index(heading), "")
    return (2, 0, "") if heading == PERIODIC else (1, 0, heading.lower())


def _anchor(heading: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in heading.lower()).strip("-")


def _short(participant: str, project: str = "nova") -> str:
    return "API" if participant == f"{project}_api" else \
        participant.removeprefix(f"{project}_")


def backbone(diagram: Diagram, limit: int = 7, project: str = "nova") -> str:
    """The RPC hops of a flow in order, each service once in a row: "API → conductor
    (cast) → scheduler (call) → compute (cast)"; "" when it sends none."""
    hops: list[tuple[str, set[str]]] = []
    for kind, item, _ in events(diagram.items):
        if kind != ITEM or not _is_rpc(item, project):
            continue
        if not hops:
            hops.append((_short(item.source, project), set()))
        target = _short(item.target, project)
        how = "cast" if item.head is Head.OPEN else "call"
        if target == hops[-1][0]:
            hops[-1][1].add(how)  # again to the same service: one hop, both kinds
        else:
            hops.append((target, {how}))
    shown = [name + (f" ({', '.join(sorted(how))})" if how else "")
             for name, how in hops[:limit]]
    return " → ".join(shown) + (" → …" if len(hops) > limit else "")


def _is_rpc(item, project: str = "nova") -> bool:
    """A message between two of the project's services that is not a reply."""
    own = f"{project}_"
    return isinstance(item, Message) and not item.dashed and item.source != item.target \
        and item.source.startswith(own) and item.target.startswith(own)


def counts(diagram: Diagram, project: str = "nova") -> tuple[int, int]:
    """How many RPCs a flow sends and how many services and systems it involves."""
    rpcs = sum(1 for kind, item, _ in events(diagram.items)
               if kind == ITEM and _is_rpc(item, project))
    return rpcs, sum(1 for p in diagram.participants if p.id != "client")


def _sections(rows: list[Row], prefix: str = "", level: int = 2) -> tuple[str, list[str]]:
    """The table of contents and the sections of `rows`, grouped under ORDER's headings,
    rows by name within each; `prefix` keeps anchors apart on a page of several projects."""
    grouped: dict[str, list[Row]] = {}
    for row in sorted(rows, key=lambda r: r.name):
        grouped.setdefault(topic(row), []).append(row)
    sections = []
    headings = sorted(grouped, key=_order)
    for heading in headings:
        anchor = prefix + _anchor(heading)
        body = "\n".join(_row_html(row) for row in grouped[heading])
        sections.append(f'<section id="{anchor}">\n<h{level}>{html.escape(heading)} '
                        f'<small>({len(grouped[heading])})</small></h{level}>\n<table>\n'
                        "<tr><th>operation</th><th>request</th><th>flow</th>"
                        '<th title="RPC messages sent">RPCs</th>'
                        '<th title="services and systems taking part">parts</th>'
                        f"<th>pictures</th></tr>\n{body}\n</table>\n</section>")
    contents = " · ".join(f'<a href="#{prefix}{_anchor(h)}">{html.escape(h)}</a>'
                          for h in headings)
    return contents, sections


# The page's style and its filter (shared by the page of one project and of several)
_STYLE = """<style>
body { font-family: sans-serif; margin: 2em; color: #1f2328; max-width: 80em; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 0.3em 0.6em; border-bottom: 1px solid #d0d7de; text-align: left;
          vertical-align: top; }
th { font-size: 0.85em; color: #57606a; }
code { font-size: 0.85em; }
.aka, .flow { color: #57606a; font-size: 0.85em; }
.n { text-align: right; }
td:last-child { white-space: nowrap; }
#search { font-size: 1em; padding: 0.4em; width: 24em; }
h2 small { color: #57606a; font-weight: normal; }
</style>
"""
_SCRIPT = """<script>
const search = document.getElementById("search");
const shown = document.getElementById("shown");
function filter() {
  const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let count = 0;
  for (const section of document.querySelectorAll("section")) {
    let visible = 0;
    for (const row of section.querySelectorAll("tr[data-text]")) {
      const match = words.every(w => row.dataset.text.includes(w));
      row.hidden = !match;
      visible += match;
    }
    section.hidden = visible === 0;
    count += visible;
  }
  shown.textContent = words.length ? count + " shown" : "";
}
search.addEventListener("input", filter);
</script>
"""


def index_page(label: str, rows: list[Row], project: str = "nova") -> bytes:
    """The page of one project, grouped under ORDER's headings, rows by name within each."""
    contents, sections = _sections(rows)
    name = project.capitalize()
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} {html.escape(label)}: operation diagrams</title>
{_STYLE}</head>
<body>
<h1>{name} {html.escape(label)}: how each operation flows</h1>
<p>{len(rows)} sequence diagrams traced from the source of {project} {html.escape(label)} by
osflow, with the annotations in <code>annotations/{project}/</code>. Each opens on its
overview (every arrow that crosses a process); <em>full</em> is the whole draft with what
each service does in between. Regenerate with <code>osflow build</code>.</p>
<p><input id="search" type="search" placeholder="Filter: a name, action, path or service"
 aria-label="Filter operations"> <span id="shown"></span></p>
<p>{contents}</p>
{chr(10).join(sections)}
{_SCRIPT}</body>
</html>
"""
    return page.encode("utf-8")


def projects_page(pages: list[tuple[str, str, list[Row]]]) -> bytes:
    """The page of a root holding several projects' diagrams (one release each): a heading
    per project, `(project, release, rows)` in the order given, then its own headings."""
    parts, total = [], 0
    names = ", ".join(f"{project.capitalize()} {label}" for project, label, _ in pages)
    for project, label, rows in pages:
        total += len(rows)
        contents, sections = _sections(rows, f"{project}-", 3)
        parts.append(f"""<div class="project" id="{project}">
<h2>{project.capitalize()} {html.escape(label)} <small>({len(rows)})</small></h2>
<p>Traced from the source of {project} {html.escape(label)}, with the annotations in
<code>annotations/{project}/</code>.</p>
<p>{contents}</p>
{chr(10).join(sections)}
</div>""")
    jump = " · ".join(f'<a href="#{project}">{project.capitalize()}</a>'
                      for project, _, _ in pages)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(names)}: operation diagrams</title>
{_STYLE.replace("h2 small {", "h2 small, h3 small {")}</head>
<body>
<h1>OpenStack operations: how each flows</h1>
<p>{total} sequence diagrams traced by osflow from {html.escape(names)}. Each opens on
its overview (every arrow that crosses a process); <em>full</em> is the whole draft with
what each service does in between. Regenerate with <code>osflow build -s ...</code> per
project.</p>
<p><input id="search" type="search" placeholder="Filter: a name, action, path or service"
 aria-label="Filter operations"> <span id="shown"></span></p>
<p>{jump}</p>
{chr(10).join(parts)}
{_SCRIPT}</body>
</html>
"""
    return page.encode("utf-8")


def _row_html(row: Row) -> str:
    facts = row.facts or Facts("", "", "", 0, 0)
    flow = facts.backbone or ("no RPC" if row.facts else "")
    rpcs, parties = facts.rpcs, facts.participants
    text = " ".join((row.name, *row.aliases, facts.request, facts.title, flow)).lower()
    first, *others = row.links
    aka = f'<div class="aka">also {html.escape(", ".join(row.aliases))}</div>' \
        if row.aliases else ""
    links = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>'
                       for label, href in row.links)
    return (f'<tr data-text="{html.escape(text)}"><td><a href="{html.escape(first[1])}">'
            f"<b>{html.escape(row.name)}</b></a>{aka}</td>"
            f"<td><code>{html.escape(facts.request)}</code></td>"
            f'<td class="flow">{html.escape(flow)}</td>'
            f'<td class="n">{rpcs}</td><td class="n">{parties}</td>'
            f"<td>{links}</td></tr>")
