"""Writer: .wsd text back from the model, deterministic and round-trip stable."""

from __future__ import annotations

import pytest

from tracer.wsd.model import Diagram, Message, Participant, Provenance, events
from tracer.wsd.parser import parse_file, parse_text
from tracer.wsd.writer import to_wsd
from tests.wsd.corpus import example_params

SAMPLE = """title Demo
participant "Nova API" as api
actor user
user->+api: POST /servers\\n(boot)
# nova/compute/api.py API.create
alt ok
    api->>conductor: build_instances
    note over api,conductor
    multi
    line
    end note
else failed
    api-xconductor: lost
end
api-->-user: 202
autonumber 3
state over api: ACTIVE
ref over user,api: see other
destroy api
"""


def shape(diagram: Diagram) -> list:
    """What a diagram says, without line numbers."""
    out = []
    for kind, obj, depth in events(diagram.items):
        fields = dict(vars(obj))
        for key in ("line", "end_line", "items", "branches"):
            fields.pop(key, None)
        if fields.get("provenance") is not None:
            fields["provenance"] = fields["provenance"].text()
        out.append((kind, type(obj).__name__, depth, sorted(fields.items(), key=str)))
    return out


def test_round_trip_sample():
    first = parse_text(SAMPLE)
    text = to_wsd(first)
    second = parse_text(text)
    assert shape(first) == shape(second)
    assert [(p.id, p.label, p.kind) for p in first.participants] == \
           [(p.id, p.label, p.kind) for p in second.participants]
    assert to_wsd(second) == text


@pytest.mark.parametrize("path", example_params())
def test_round_trip_examples(path):
    first = parse_file(path)
    text = to_wsd(first)
    assert shape(parse_text(text)) == shape(first)


def test_provenance_written_once_per_change_and_names_quoted():
    prov = Provenance("nova/compute/api.py", "API.pause")
    diagram = Diagram(
        title="t",
        participants=[Participant("nova api", "nova api"), Participant("db", "db")],
        items=[Message("nova api", "db", "save", provenance=prov),
               Message("db", "nova api", "done", dashed=True, provenance=prov)],
    )
    text = to_wsd(diagram)
    assert text.count("# nova/compute/api.py API.pause") == 1
    assert '"nova api"->db: save' in text
    assert to_wsd(diagram) == text
    assert parse_text(text).items[0].source == "nova api"


def test_characters_xml_forbids_are_written_as_the_replacement_character():
    # what the tracer draws from a source tree may hold them; the parser refuses them and
    # UTF-8 cannot encode a lone surrogate, so the writer writes U+FFFD, as the SVG shows it
    from tests.render.test_svg import XML_FORBIDDEN, diagram_holding

    text = to_wsd(diagram_holding(XML_FORBIDDEN))
    text.encode("utf-8")
    assert not set(XML_FORBIDDEN) & set(text)
    again = parse_text(text)
    assert again.title == "title" + "\ufffd" * len(XML_FORBIDDEN)
    first = next(obj for _k, obj, _d in events(again.items) if isinstance(obj, Message))
    assert first.text == "m" + "\ufffd" * len(XML_FORBIDDEN)
