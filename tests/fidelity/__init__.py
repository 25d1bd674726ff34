"""Fidelity suite: what a careful reader of Nova's code says each operation does, step by step.

Issue #18 ("draw the work between the messages, and nothing that does not happen") asks for
step-level expectations on 12.0.0 (Liberty) and 34.0.0, each proved by the code. They live
here as data, read from the code rather than copied from the tracer's output:

- `records.py`: the expectations, one record each, grouped by release and operation. A record
  is a step that must be drawn (participants, text and, for a write, the field it sets), a step
  that must not be drawn (anywhere, inside some block, or outside the branch it belongs to), an
  order between two steps, two steps that may never share a path (an early return), or two
  sends that go to different hosts. `cite=` names the release, file and function that proves
  it; a reviewer checks the record against that code, not against a draft.
- `expect.py`: the records' shape and the small matcher (`check(flow, record)`). Texts are
  exact strings or `rx(...)` regular expressions: match the essential part (`instance.save`
  and its `task_state=DELETING` field), not the tracer's wording of the rest.
- `test_fidelity.py`: one test per record (ids like `12.0.0-delete-absent-soft-delete-instance`)
  on the default-options flow, what the shipped drafts draw. `test_matcher.py` checks the
  matcher on a hand-made flow.

Records the tracer does not meet yet are `xfail(strict=True)` with a reason naming their
item of #18 ("#18.1 helper objects", "#18.4 early returns", ...). When a fix makes one pass,
pytest reports the XPASS as a failure: remove the `xfail=` from the record (never weaken a
record to match the output; if you think a record is wrong, re-read the cited code).

Liberty comes from the `liberty` fixture of tests/integration/conftest.py; 34.0.0 from the
package index, downloaded once into the shared cache. Run: `pytest -q tests/fidelity`
(`-rxX` lists the expected failures with their #18 item).
"""
