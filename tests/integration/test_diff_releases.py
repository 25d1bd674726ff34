"""`osflow diff --rpc` between real releases, checked against the independent reading of
the rpcapi modules used for the RPC model (test_rpc_releases._oracle)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import _shared_cache
from tests.integration.test_rpc_releases import _oracle
from tracer.diff import diff_rpc
from tracer.workspace import open_workspace

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trees():
    return [open_workspace(r, cache=_shared_cache()) for r in ("20.0.0", "34.0.0")]


def test_20_to_34_rpc_diff_matches_the_rpcapi_modules(trees):
    old, new = trees
    result = diff_rpc(old.rpc_model(), new.rpc_model())
    before, after = _oracle(old.source.root), _oracle(new.source.root)
    # clients added or removed between the releases are exactly the methods added/removed
    assert {m.client for m in result.added} == set(after) - set(before)
    assert {m.client for m in result.removed} == set(before) - set(after)
    # kind changes are exactly the clients whose sends changed from cast to call or back
    kind_changes = {c.method for c in result.changed if "kinds" in c.changes}
    oracle = {name.rsplit(".", 1)[1] for name in set(before) & set(after)
              if before[name] != after[name]}
    assert kind_changes == oracle
    assert kind_changes == {"migrate_server"}  # conductor: call -> call or cast (do_cast)


def test_diff_of_a_tree_with_itself_is_empty(trees):
    model = trees[1].rpc_model()
    result = diff_rpc(model, model)
    assert (result.added, result.removed, result.changed) == ([], [], [])
