"""Series names and ranges of releases (tracer/releases.py), and history's layout."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tracer import releases
from tracer.errors import OsflowError
from tracer.report import history_text

INDEX = ("27.0.0", "27.1.0", "28.0.0", "29.0.0", "29.0.1", "29.2.0", "30.0.0", "31.0.0",
         "32.0.0", "33.0.0", "33.0.2", "34.0.0")


@pytest.fixture
def index(monkeypatch):
    releases.index_versions.cache_clear()
    monkeypatch.setattr(releases, "index_versions", lambda: INDEX)


@pytest.mark.parametrize("spec, major", [
    ("caracal", 29), ("Caracal", 29), ("2024.1", 29), ("2023.1", 27), ("2025.2", 32),
    ("2026.2", 34), ("liberty", 12), ("34.0.0", None), ("2022.1", None), ("2024.3", None),
    ("nova", None)])
def test_a_series_is_its_nova_major_release(spec, major):
    assert releases.series_major(spec) == major


def test_a_series_is_its_last_release_on_the_index(index):
    assert releases.last_of_series("caracal", 29, []) == "29.2.0"
    with pytest.raises(OsflowError, match="no nova 35.x release; it has 27.0.0 to 34.0.0"):
        releases.last_of_series("2027.1", 35, [])


def test_offline_a_series_is_its_newest_cached_release(monkeypatch, caplog):
    def unreachable():
        raise releases.IndexListError("cannot list nova's releases (no network)")

    monkeypatch.setattr(releases, "index_versions", unreachable)
    assert releases.last_of_series("2024.1", 29, ["28.0.0", "29.0.0", "29.0.1"]) == "29.0.1"
    assert "newest 29.x cached here is used: 29.0.1" in caplog.text
    with pytest.raises(OsflowError, match="no release of it is cached"):
        releases.last_of_series("2024.1", 29, ["28.0.0"])


def test_a_range_is_every_release_between_oldest_first(index):
    assert releases.expand_range("29.0.0..31.0.0", []) == \
        ["29.0.0", "29.0.1", "29.2.0", "30.0.0", "31.0.0"]
    assert releases.expand_range("caracal..2025.1", []) == \
        ["29.0.0", "29.0.1", "29.2.0", "30.0.0", "31.0.0"]
    assert releases.expand_range("33.0..34.0", []) == ["33.0.0", "33.0.2", "34.0.0"]
    assert releases.expand_range("34.0.0", []) is None
    assert releases.expand_range("/some/path", []) is None
    with pytest.raises(OsflowError, match="runs backwards; oldest first, like "
                                          "29.0.0..31.0.0"):
        releases.expand_range("31.0.0..29.0.0", [])
    with pytest.raises(OsflowError, match="'main' is no release number or series"):
        releases.expand_range("29.0.0..main", [])


class _Row:
    def __init__(self, service, method, kinds, introduced=None, removed=None, changes=()):
        self.service, self.method, self.kinds = service, method, kinds
        self.introduced, self.removed, self.kind_changes = introduced, removed, list(changes)


def test_history_of_twenty_releases_fits_100_columns():
    labels = [f"{major}.0.0" for major in range(15, 35)]
    rows = [_Row("nova-compute", "pause_instance", {label: ["cast"] for label in labels}),
            _Row("nova-conductor", "migrate_server",
                 {label: ["call"] if label < "30" else ["call", "cast"] for label in labels},
                 changes=[{"release": "30.0.0", "old": ["call"], "new": ["call", "cast"]}]),
            _Row("nova-compute", "gone_one", {label: ["call"] for label in labels[:5]},
                 removed="20.0.0")]
    out = io.StringIO()
    history_text(labels, rows, Console(file=out, width=100, force_terminal=True,
                                       color_system=None))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "ssssssssssssssssssss" in text
    assert "c" * 15 + "b" * 5 in text and "30.0.0: call -> both" in text
    assert "ccccc" + "·" * 15 in text and "gone in 20.0.0" in text
    assert "c call, s cast, b both" in text
