"""One test per expectation of records.py: the default draft of that operation on that
release must meet it. Records known to fail today are strict xfails naming their #18 item."""

from __future__ import annotations

import pytest

from tests.fidelity.expect import check
from tests.fidelity.records import RECORDS

pytestmark = pytest.mark.integration


def _param(record):
    marks = [pytest.mark.xfail(strict=True, reason=record.xfail)] if record.xfail else []
    return pytest.param(record, id=record.id, marks=marks)


@pytest.mark.parametrize("record", [_param(r) for r in RECORDS])
def test_expectation(flows, record):
    problem = check(flows(record.release, record.op), record)
    assert problem is None, f"{record.id}\n{problem}\nproof: {record.cite}"
