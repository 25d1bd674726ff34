"""Parser: every construct of the dialect, error messages with file:line, and limits."""

from __future__ import annotations

import time

import pytest

from tracer.errors import OsflowError
from tracer.wsd.model import (
    CLOSE,
    ELSE,
    OPEN,
    Activation,
    ActivationAction,
    Autonumber,
    Comment,
    Group,
    GroupKind,
    Head,
    Message,
    Note,
    NoteKind,
    NotePosition,
    events,
)
from tracer.wsd.parser import MAX_BYTES, MAX_DEPTH, parse_file, parse_text
from tests.wsd.corpus import example_params


def only(text: str):
    """The single element a one-statement diagram parses to."""
    items = parse_text(text).items
    assert len(items) == 1, items
    return items[0]


def error(text: str, name: str = "bad.wsd") -> str:
    with pytest.raises(OsflowError) as info:
        parse_text(text, name)
    return str(info.value)


# -- messages ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "arrow, dashed, head, both",
    [
        ("->", False, Head.FILLED, False),
        ("->>", False, Head.OPEN, False),
        ("-->", True, Head.FILLED, False),
        ("-->>", True, Head.OPEN, False),
        ("-x", False, Head.CROSS, False),
        ("--x", True, Head.CROSS, False),
        ("<->", False, Head.FILLED, True),
    ],
)
def test_arrow_kinds(arrow, dashed, head, both):
    msg = only(f"A{arrow}B: hello")
    assert isinstance(msg, Message)
    assert (msg.source, msg.target, msg.text) == ("A", "B", "hello")
    assert (msg.dashed, msg.head, msg.bidirectional) == (dashed, head, both)


def test_activation_markers_and_delay():
    diagram = parse_text("A->+B: go\nB-->-A: back\nA->*C: make\nA->(3)B: late")
    go, back, make, late = diagram.items
    assert go.activate_target and not go.deactivate_source
    assert back.deactivate_source and back.dashed
    assert make.create_target
    assert late.delay == 3 and late.target == "B"


def test_hyphenated_names_and_colons_in_text():
    msg = only("nova-api->nova-compute: a: b -> c")
    assert (msg.source, msg.target, msg.text) == ("nova-api", "nova-compute", "a: b -> c")
    assert only("foo-xy->bar").source == "foo-xy"


def test_message_without_label_and_self_message():
    msg = only("A->A")
    assert (msg.source, msg.target, msg.text) == ("A", "A", "")


def test_newline_escape_in_text():
    assert only("A->B: one\\ntwo").text == "one\ntwo"


def test_participants_declared_implicitly_in_first_use_order():
    diagram = parse_text("participant C\nB->A: x\nC->B: y")
    assert [p.id for p in diagram.participants] == ["C", "B", "A"]
    assert [p.explicit for p in diagram.participants] == [True, False, False]


def test_participant_aliases_and_actor():
    diagram = parse_text('participant "Nova API" as api\nactor User\nparticipant db as "Data base"')
    api, user, db = diagram.participants
    assert (api.id, api.label, api.kind) == ("api", "Nova API", "participant")
    assert (user.id, user.kind) == ("User", "actor")
    assert (db.id, db.label) == ("db", "Data base")
    msg = parse_text('participant "Nova API" as api\nUser->api: hi').items[0]
    assert msg.target == "api"


def test_quoted_names_in_messages():
    msg = only('"Long Name"->B: x')
    assert msg.source == "Long Name"


def test_keyword_like_participant_names():
    msg = only("note->end: x")
    assert (msg.source, msg.target) == ("note", "end")


# -- notes, states, refs ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, position, parts",
    [
        ("note left of A: hi", NotePosition.LEFT, ("A",)),
        ("note right of A: hi", NotePosition.RIGHT, ("A",)),
        ("note over A: hi", NotePosition.OVER, ("A",)),
        ("note over A,B: hi", NotePosition.OVER, ("A", "B")),
        ("note over A, B: hi", NotePosition.OVER, ("A", "B")),
    ],
)
def test_single_line_notes(text, position, parts):
    note = only(text)
    assert isinstance(note, Note)
    assert (note.position, note.participants, note.text) == (position, parts, "hi")


def test_multiline_note():
    note = only("note over A\n  first line\n  second: line\nend note")
    assert note.multiline and note.text == "first line\nsecond: line"
    assert note.line == 1


def test_state_and_ref():
    state = only("state over A: RUNNING")
    ref = only("ref over A,B: see boot")
    assert state.kind is NoteKind.STATE and ref.kind is NoteKind.REF
    assert ref.participants == ("A", "B")


# -- fragments -----------------------------------------------------------------------------

def test_nested_fragments_with_else():
    text = """alt first
    A->B: one
    loop again
        B->A: two
    end
else second
    opt maybe
        A->A: three
    end
else
    par both
        A->B: x
    else
        B->A: y
    end
end
group named
end"""
    diagram = parse_text(text)
    top, named = diagram.items
    assert isinstance(top, Group) and top.kind is GroupKind.ALT
    assert [b.label for b in top.branches] == ["first", "second", ""]
    assert top.line == 1 and top.end_line == 16
    assert top.branches[0].items[1].kind is GroupKind.LOOP
    assert top.branches[2].items[0].kind is GroupKind.PAR
    assert len(top.branches[2].items[0].branches) == 2
    assert named.kind is GroupKind.GROUP and named.label == "named"
    kinds = [kind for kind, _obj, _depth in events(diagram.items) if kind in (OPEN, ELSE, CLOSE)]
    assert kinds == ["open", "open", "close", "else", "open", "close", "else", "open",
                     "else", "close", "close", "open", "close"]


def test_activation_statements_and_autonumber():
    diagram = parse_text("activate A\ndeactivate A\ndestroy B\nautonumber 5\nA->B: x\nA->B: y\n"
                         "autonumber off\nA->B: z")
    acts = [i for i in diagram.items if isinstance(i, Activation)]
    assert [a.action for a in acts] == [ActivationAction.ACTIVATE, ActivationAction.DEACTIVATE,
                                        ActivationAction.DESTROY]
    numbers = [i.number for i in diagram.items if isinstance(i, Message)]
    assert numbers == [5, 6, None]
    assert isinstance(diagram.items[3], Autonumber)


def test_title_and_comments_and_provenance():
    text = """title Pause\\na server
# just a remark
## nova/compute/api.py
# pause()
A->B: one
# nova/compute/rpcapi.py ComputeAPI.pause_instance
note over B: two
### another remark
B->>C: three"""
    diagram = parse_text(text)
    assert diagram.title == "Pause\na server"
    remark, one, two, remark2, three = diagram.items
    assert isinstance(remark, Comment) and remark.text == "just a remark"
    assert (one.provenance.path, one.provenance.function) == ("nova/compute/api.py", "pause")
    assert two.provenance.function == "ComputeAPI.pause_instance"
    assert isinstance(remark2, Comment)
    assert three.provenance == two.provenance  # provenance holds until the next one


def test_an_open_fragment_is_closed_at_the_end_with_a_warning():
    diagram = parse_text("A->B: ok\nalt cond\nloop each\nA->B: x", "s.wsd")
    outer = diagram.items[-1]
    assert isinstance(outer, Group) and outer.end_line == 4
    assert outer.branches[0].items[0].end_line == 4
    assert diagram.warnings == [
        "s.wsd:3: `loop` is never closed; closed at the end of the file (add `end` where it "
        "ends)",
        "s.wsd:2: `alt` is never closed; closed at the end of the file (add `end` where it "
        "ends)"]


# -- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("A->B: ok\nfrobnicate A", 2, "unknown keyword 'frobnicate'"),
        ("A->: hi", 1, "no target"),
        ("->B: hi", 1, "no source"),
        ("A->B\nend", 2, "`end` without an open fragment"),
        ("else", 1, "`else` outside any fragment"),
        ("note over A\ntext", 1, "expected `end note`"),
        ("note under A: x", 1, "expected `note left of A: text`"),
        ("note left of A,B: x", 1, "too many participants"),
        ("participant", 1, "needs a name"),
        ('participant "unclosed', 1, "unclosed quote"),
        ("participant A B", 1, "expected `as ALIAS`"),
        ("title", 1, "needs text"),
        ("autonumber x", 1, "bad autonumber"),
        ("activate", 1, "needs one participant"),
    ],
)
def test_errors_name_file_line_and_expectation(text, line, fragment):
    message = error(text)
    assert message.startswith(f"bad.wsd:{line}: "), message
    assert fragment in message


def test_nesting_depth_is_bounded():
    deep = "\n".join(["opt x"] * (MAX_DEPTH + 1) + ["end"] * (MAX_DEPTH + 1))
    assert f"nested more than {MAX_DEPTH} deep" in error(deep)
    ok = "\n".join(["opt x"] * MAX_DEPTH + ["A->B"] + ["end"] * MAX_DEPTH)
    assert parse_text(ok).items


def test_long_line_is_refused():
    assert "over the 10000 limit" in error("A->B: " + "x" * 20_000)


def test_big_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.wsd"
    line = b"client->nova_api: a message of moderate length\n"
    path.write_bytes(line * (10 * 1024 * 1024 // len(line) + 1))
    started = time.monotonic()
    with pytest.raises(OsflowError) as info:
        parse_file(path)
    assert time.monotonic() - started < 1.0
    message = str(info.value)
    assert message.startswith(str(path)) and str(MAX_BYTES) in message and "limit" in message


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin.wsd"
    path.write_bytes(b"A->B: ok\nA->B: caf\xe9\n")
    with pytest.raises(OsflowError, match=r"latin\.wsd:2: not UTF-8"):
        parse_file(path)


def test_missing_file(tmp_path):
    with pytest.raises(OsflowError, match="cannot read"):
        parse_file(tmp_path / "nope.wsd")


@pytest.mark.parametrize("kind, what", [("fifo", "a named pipe (FIFO)"),
                                        ("link to /dev/zero", "a symbolic link to a character "
                                                              "device")])
def test_a_file_that_is_no_regular_file_is_refused_unread(tmp_path, kind, what):
    """stat says 0 bytes for both: they were read, and a pipe waited on for ever."""
    import os

    from tests.test_files import in_time

    path = tmp_path / "pipe.wsd"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(OsflowError) as raised:
        in_time(lambda: parse_file(path))
    assert str(raised.value) == f"{path}: {what}, not a regular file; give a .wsd file"


# -- the hand-drawn corpus -------------------------------------------------------------------

@pytest.mark.parametrize("path", example_params())
def test_examples_parse(path):
    diagram = parse_file(path)
    assert diagram.title
    assert len(diagram.participants) >= 4
    messages = [obj for _k, obj, _d in events(diagram.items) if isinstance(obj, Message)]
    assert messages and all(m.line > 0 for m in messages)
    assert any(m.provenance is not None for m in messages)


def test_statement_count_is_bounded_including_note_lines():
    from tracer.wsd.parser import MAX_STATEMENTS

    many = "\n".join("A->B: x" for _ in range(MAX_STATEMENTS + 1))
    assert f"more than {MAX_STATEMENTS}" in error(many)
    giant_note = "note over A\n" + "line\n" * (MAX_STATEMENTS + 1) + "end note"
    assert f"more than {MAX_STATEMENTS}" in error(giant_note)


def test_a_fragment_labelled_with_an_arrow_is_a_fragment():
    """Found by the fuzz campaign: `alt ->` is an alt labelled `->` (no target follows the
    arrow), while `alt -> B: x` stays a message from a participant called alt."""
    diagram = parse_text("alt ->\nA->A: x\nelse\nA->A: y\nend\n")
    assert [type(item).__name__ for item in diagram.items] == ["Group"]
    message = parse_text("alt -> B: x\n").items[0]
    assert (message.source, message.target) == ("alt", "B")
