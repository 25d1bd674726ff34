"""PlantUML and Mermaid exports from the parsed model."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tracer.wsd.mermaid import to_mermaid
from tracer.wsd.model import Message, events
from tracer.wsd.parser import parse_file, parse_text
from tracer.wsd.plantuml import to_plantuml
from tests.wsd.corpus import example_files, example_params

EVERYTHING = """title Everything\\nsecond
participant "Long label" as L
participant "nova-api" as api
actor User
autonumber
User->L: one; two # three
L->(2)User: delayed
User<->L: both
User->*New: create
New-->>User: back
User-xL: lost
User--xL: lostdash
"odd name"->api: quoted
note left of User: left
note right of New: right
note over User,L
multi
line
end note
state over L: RUNNING
ref over User,L: elsewhere
# nova/compute/api.py API.pause
loop forever
  par a
    User->+L: x
  else
    L-->-User: y
  end
end
alt yes
  User->>L: cast
else no
  User->L: call
end
group named
  activate L
  deactivate L
end
autonumber off
destroy New
"""


def test_plantuml_shape():
    text = to_plantuml(parse_text(EVERYTHING))
    lines = text.splitlines()
    assert lines[0] == "@startuml" and lines[-1] == "@enduml"
    assert lines[1].startswith("' a PNG over 4096 px is cut by PlantUML: run it with "
                               "PLANTUML_LIMIT_SIZE=16384")
    assert 'participant "Long label" as L' in lines
    assert 'actor "User" as User' in lines
    assert 'participant "odd name" as p1' in lines
    assert "User -> L : one; two # three" in lines
    assert "User ->> L : cast" in text and "New -->> User : back" in text
    assert "User ->x L : lost" in text and "User <-> L : both" in text
    assert "User -> New ** : create" in text
    assert "    User -> L ++ : x" in text and "    L --> User -- : y" in text
    assert "hnote over L : RUNNING" in text and "ref over User, L : elsewhere" in text
    assert "' nova/compute/api.py API.pause" in text
    assert text.count("\nend\n") + text.count("\n  end\n") == 4
    assert to_plantuml(parse_text(EVERYTHING)) == text


def test_mermaid_shape():
    text = to_mermaid(parse_text(EVERYTHING))
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram"
    assert "    title Everything second" in lines
    assert "    participant L as Long label" in lines
    assert "    participant p1 as odd name" in lines
    assert "    User->>L: one#59; two #35; three" in lines
    assert "User-)L: cast" in text and "New--)User: back" in text
    assert "create participant New" in text and "participant New" not in text.split("create")[0]
    assert "Note over User,L: multi<br/>line" in text
    assert "        and" in text  # par branches use `and`
    assert "    else no" in text
    assert "rect " in text and "Note over L: named" in text
    assert "%% nova/compute/api.py API.pause" in text
    opened = sum(1 for line in lines if line.strip().split(" ")[0] in ("loop", "par", "alt", "rect"))
    assert opened == sum(1 for line in lines if line.strip() == "end")
    assert to_mermaid(parse_text(EVERYTHING)) == text


@pytest.mark.parametrize("path", example_params())
def test_examples_export_every_message(path):
    diagram = parse_file(path)
    puml, mmd = to_plantuml(diagram), to_mermaid(diagram)
    for _kind, obj, _depth in events(diagram.items):
        if isinstance(obj, Message) and obj.text:
            first = obj.text.split("\n")[0].strip()
            assert first in puml and first.replace(";", "#59;") in mmd


PLANTUML = shutil.which("plantuml")


@pytest.mark.skipif(PLANTUML is None, reason="Debian's plantuml is not installed")
@pytest.mark.parametrize("source", ["everything", *[p for p in example_params()]])
def test_plantuml_accepts_output(source, tmp_path):
    diagram = parse_text(EVERYTHING) if source == "everything" else parse_file(source)
    path = tmp_path / "d.puml"
    path.write_text(to_plantuml(diagram))
    done = subprocess.run([PLANTUML, "-syntax"], input=path.read_text(), capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.startswith("SEQUENCE"), done.stdout + done.stderr


# one cast handler ends on a host, the next starts there: PlantUML refuses the pair
BACK_TO_BACK = """participant api
participant compute
api->>compute: stop_instance
activate compute
compute->compute: power off
deactivate compute
activate compute
compute->compute: power on
deactivate compute
"""


def test_plantuml_separates_a_bar_that_ends_where_the_next_starts():
    puml = to_plantuml(parse_text(BACK_TO_BACK)).splitlines()
    at = puml.index("deactivate compute")
    assert puml[at + 1: at + 3] == ["compute -[hidden]> compute", "activate compute"]


SHIPPED = sorted((Path(__file__).resolve().parents[2] / "workflows" / "nova").glob("*.wsd"))


@pytest.mark.skipif(PLANTUML is None, reason="Debian's plantuml is not installed")
def test_plantuml_renders_every_shipped_diagram_and_example(tmp_path):
    """Rendering checks more than `-syntax` does (ERROR 111, `Activate/Deactivate already
    done`, came from image-create, unshelve and shelve). `-checkonly` runs PlantUML's
    whole check, one JVM for all files; on failure each file is checked alone to name it."""
    sources = [*SHIPPED, *example_files(), "everything"]
    files = []
    for i, source in enumerate(sources):
        diagram = parse_text(EVERYTHING) if source == "everything" else parse_file(source)
        path = tmp_path / f"{i:03d}-{Path(str(source)).stem}.puml"
        path.write_text(to_plantuml(diagram))
        files.append(path)
    assert len(SHIPPED) > 80
    done = subprocess.run([PLANTUML, "-checkonly", *map(str, files)], capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        failing = [f.name for f in files if subprocess.run(
            [PLANTUML, "-checkonly", str(f)], capture_output=True, timeout=120).returncode]
        pytest.fail(f"PlantUML refuses: {failing}")
