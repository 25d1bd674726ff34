"""SVG renderer: content, determinism, links, layout without overlaps, robustness."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from tracer.render.fontmetrics import text_width
from tracer.render.svg import RenderOptions, render_svg
from tracer.wsd.model import Message, Note, Provenance, events
from tracer.wsd.parser import parse_file, parse_text
from tests.render.diagrams import big_diagram
from tests.wsd.corpus import example_params

SVG_NS = "{http://www.w3.org/2000/svg}"
_TEXT = re.compile(r'<text x="([-\d.]+)" y="([-\d.]+)"([^>]*)>([^<]*)</text>')


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def all_text(svg: str) -> str:
    """Every <text> content in document order, joined without whitespace."""
    return "".join(squash(unescape(m.group(4))) for m in _TEXT.finditer(svg))


def text_boxes(svg: str) -> list[tuple[float, float, float, float, str]]:
    """Approximate boxes (x0, y0, x1, y1, text) of the drawn text, from our own metrics."""
    offset = re.search(r'translate\(([-\d.]+) ([-\d.]+)\)', svg)
    boxes = []
    for match in _TEXT.finditer(svg):
        x, y, attrs, body = float(match.group(1)), float(match.group(2)), match.group(3), match.group(4)
        size_match = re.search(r'font-size="([\d.]+)"', attrs)
        size = float(size_match.group(1)) if size_match else 13.0
        bold = 'font-weight="bold"' in attrs
        width = text_width(unescape(body), size, bold)
        if 'text-anchor="middle"' in attrs:
            x -= width / 2
        elif 'text-anchor="end"' in attrs:
            x -= width
        boxes.append((x, y - 0.75 * size, x + width, y + 0.2 * size, unescape(body)))
    assert offset is not None
    return boxes


def overlaps(boxes):
    """Pairs of text boxes that intersect (sweep over y)."""
    found = []
    ordered = sorted(boxes, key=lambda b: b[1])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b[1] >= a[3]:
                break
            if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5:
                found.append((a[4], b[4]))
    return found


@pytest.mark.parametrize("path", example_params())
def test_examples_show_title_participants_and_every_label(path):
    diagram = parse_file(path)
    svg = render_svg(diagram)
    ET.fromstring(svg.encode())  # well-formed XML
    text = all_text(svg)
    assert squash(diagram.title) in text
    for part in diagram.participants:
        assert text.count(squash(part.label)) >= 2, part.id  # top and bottom boxes
    for _kind, obj, _depth in events(diagram.items):
        if isinstance(obj, Message) and obj.text:
            assert squash(obj.text) in text, obj.text


@pytest.mark.parametrize("path", example_params())
def test_examples_render_byte_identical(path):
    diagram = parse_file(path)
    assert render_svg(diagram) == render_svg(parse_file(path))


@pytest.mark.parametrize("path", example_params())
def test_examples_have_no_overlapping_text(path):
    svg = render_svg(parse_file(path))
    assert overlaps(text_boxes(svg)) == []


def test_identical_across_processes_with_different_hash_seeds(tmp_path):
    source = tmp_path / "big.wsd"
    source.write_text(big_diagram(200))
    script = (
        "import sys;from tracer.wsd.parser import parse_file;"
        "from tracer.render.svg import render_svg;"
        "sys.stdout.write(render_svg(parse_file(sys.argv[1])))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", script, str(source)], env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_big_wide_diagram_is_legible():
    text = big_diagram(450, 12)
    diagram = parse_text(text)
    svg = render_svg(diagram)
    ET.fromstring(svg.encode())
    assert overlaps(text_boxes(render_svg(diagram, RenderOptions(gutter=False)))) == []
    width = float(re.search(r'width="([\d.]+)"', svg).group(1))
    assert width < 12 * 450  # columns stay bounded: labels wrap instead of widening forever
    squashed = all_text(svg)
    for _kind, obj, _depth in events(diagram.items):
        if isinstance(obj, Message) and obj.text:
            assert squash(obj.text) in squashed


def test_long_label_widens_columns_or_wraps():
    label = "a label that is definitely much wider than two participant boxes side by side"
    svg = render_svg(parse_text(f"A->B: {label}\nnote over A: {label} {label}"))
    assert overlaps(text_boxes(svg)) == []
    assert squash(label) in all_text(svg)


def test_provenance_links_to_opendev_with_tag():
    text = "# nova/compute/api.py API.pause\nA->B: pause\nnote over B: checked"
    svg = render_svg(parse_text(text), RenderOptions(tag="34.0.0"))
    url = "https://opendev.org/openstack/nova/src/tag/34.0.0/nova/compute/api.py"
    assert f'<a href="{url}"' in svg
    assert svg.count(f'href="{url}"') >= 2  # the message and the note
    assert "<title>nova/compute/api.py API.pause</title>" in svg


def test_provenance_links_without_tag_are_paths():
    svg = render_svg(parse_text("# nova/compute/api.py API.pause\nA->B: pause"))
    assert '<a href="nova/compute/api.py"' in svg
    svg = render_svg(parse_text("# nova/compute/api.py\nA->B: pause"),
                     RenderOptions(link_base="../src"))
    assert '<a href="../src/nova/compute/api.py"' in svg
    assert "<a " not in render_svg(parse_text("A->B: plain"))


def test_arrow_styles_are_distinct():
    text = "A->B: call\nA->>B: cast\nB-->A: ret\nA-xB: lost"
    svg = render_svg(parse_text(text), RenderOptions(legend=False))
    assert svg.count('stroke-dasharray="6 4"') == 1  # only the return is dashed
    assert 'Z" fill=' in svg  # a filled head
    assert 'stroke-width="1.3" fill="none"/>' in svg  # an open head


def test_activations_nest_and_fragments_draw():
    text = """A->+B: outer
B->+B: inner
activate B
deactivate B
B-->-B: done
alt yes
  B->A: x
else no
  note over A,B: spanning
end
destroy B"""
    svg = render_svg(parse_text(text))
    bars = re.findall(r'<rect x="[-\d.]+" y="[-\d.]+" width="10" ', svg)
    assert len(bars) >= 3
    assert ">alt<" in svg and "[yes]" in svg and "[no]" in svg
    assert 'stroke="#b3261e"' in svg  # the destroy cross


def test_every_construct_renders():
    text = """title Everything
participant "Long label" as L
actor User
autonumber
User->L: one
L->(2)User: delayed
User<->L: both
User->*New: create
New-->>User: back
note left of User: left
note right of New: right
state over L: RUNNING
ref over User,L: elsewhere
loop forever
  par a
    User->L: x
  else
    L->User: y
  end
end
group named
end
"""
    svg = render_svg(parse_text(text))
    ET.fromstring(svg.encode())
    for word in ("Everything", "Long label", "User", "1. one", "delayed", "elsewhere", "RUNNING",
                 "loop", "par", "group", "[named]"):
        assert word in svg, word


def test_empty_and_untitled_diagrams():
    for text in ("", "title Only a title", "# only a comment"):
        ET.fromstring(render_svg(parse_text(text)).encode())


def test_text_is_escaped():
    svg = render_svg(parse_text('title a < b & "c"\nA->B: <script>&amp;'))
    ET.fromstring(svg.encode())
    assert "<script>" not in svg and "&lt;script&gt;" in svg


# Characters XML 1.0 forbids: C0 controls but tab, newline and return; lone surrogates;
# U+FFFE and U+FFFF. The parser refuses them; a diagram the tracer builds in code (labels
# from the source tree) can still hold them.
XML_FORBIDDEN = "\x01\x0b\x0c\x1f\ud800\udfff\ufffe\uffff"


def diagram_holding(chars: str):
    """A diagram with `chars` in every text the renderer draws or links."""
    diagram = parse_text("title T\nparticipant A\nactor B\n# nova/x.py F.g\nA->B: m\n"
                         "note over A: n\nstate over B: s\nref over A,B: r\nalt c\n"
                         "A->A: self\nelse e\nend\n")
    diagram.title = f"title{chars}"
    for part in diagram.participants:
        part.label += chars
    for _kind, obj, _depth in events(diagram.items):
        if isinstance(obj, (Message, Note)):
            obj.text += chars
        for branch in getattr(obj, "branches", ()):
            branch.label += chars
        if getattr(obj, "provenance", None) is not None:
            obj.provenance = Provenance(obj.provenance.path + chars,
                                        obj.provenance.function + chars)
    return diagram


def test_every_text_is_made_xml_safe():
    svg = render_svg(diagram_holding(XML_FORBIDDEN), RenderOptions(tag="34.0.0"))
    root = ET.fromstring(svg.encode("utf-8"))  # XML, and UTF-8 can hold it
    assert not set(XML_FORBIDDEN) & set(svg)
    # each is shown as U+FFFD, where a reader sees that something was there (wrapping may
    # take the controls that are white space, as it takes spaces)
    assert root.find(f"{SVG_NS}title").text == "title" + "\ufffd" * len(XML_FORBIDDEN)
    drawn = "".join(root.itertext())
    for text in ("m", "n", "s", "r", "[c", "[e", "self", "A", "B", "F.g"):
        assert f"{text}\ufffd" in drawn, text


def test_the_legend_says_what_the_arrows_frames_and_guards_drawn_mean():
    svg = render_svg(parse_text("# note: virt driver: libvirt\nA->B: call\nalt x\n"
                                "A->>B: [y] cast\nend"))
    legend = svg[svg.index("call: the sender waits"):]
    assert "cast: sent, not waited for" in legend and "reply, return" not in legend
    assert "Frames: opt runs when" in legend and "[condition] before a label" in legend
    assert "virt driver: libvirt" in legend
    plain = render_svg(parse_text("A->B: hello"))
    assert "call: the sender waits" in plain and "Frames:" not in plain \
        and "[condition]" not in plain
    assert "call: the sender" not in render_svg(parse_text("A->B: hello"),
                                                RenderOptions(legend=False))


def test_an_arrow_linked_to_another_projects_diagram_links_its_label():
    diagram = parse_text("# nova/volume/cinder.py API.attachment_update\n"
                         "nova_compute->cinder: attachment_update\n")
    diagram.items[-1].link = "cinder/attachment-update.svg"
    svg = render_svg(diagram, RenderOptions(output_prefix="../"))
    label = svg.index(">attachment_update<")
    assert svg.rindex('<a href="../cinder/attachment-update.svg"', 0, label) > \
        svg.rindex('<a href="nova/volume/cinder.py"', 0, label)  # the arrow keeps its source
