"""The index page (tracer/atlas.py): grouping, backbones, and the shipped page in a browser."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tracer.atlas import (LIFECYCLE, PERIODIC, READS, Facts, Row, backbone, counts,
                          facts_of, topic)
from tracer.wsd.parser import parse_text

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "output" / "index.html"


def row(name, method="POST", path="/servers/{id}/action", aliases=(), group="servers"):
    return Row(name, tuple(aliases), method, path, group, (("full", "x.svg"),), None)


@pytest.mark.parametrize("name, method, path, aliases, group, heading", [
    ("pause", "POST", "/servers/{id}/action", ("pause",), "servers", LIFECYCLE),
    ("live-migrate", "POST", "/servers/{id}/action", ("os-migrateLive",), "servers",
     "Moves and resizes"),
    ("interface-attach", "POST", "/servers/{id}/os-interface", (), "servers", "Networking"),
    ("volume-attach", "POST", "/servers/{id}/os-volume_attachments", (), "servers", "Volumes"),
    ("get-vnc-console", "POST", "/servers/{id}/action", ("os-getVNCConsole",), "servers",
     "Consoles"),
    ("show", "GET", "/servers/{id}", (), "servers", READS),
    ("periodic-sync-power-states", "PERIODIC", "", (), "periodic", PERIODIC),
    ("aggregate-add-host", "POST", "/os-aggregates/{id}/action", (), "os-aggregates",
     "Aggregates (os-aggregates)"),
    ("flavor-create", "POST", "/flavors", (), "flavors", "Flavors"),
    ("migration-list", "GET", "/os-migrations", (), "os-migrations", "Moves and resizes"),
])
def test_each_operation_goes_under_what_it_does(name, method, path, aliases, group, heading):
    assert topic(row(name, method, path, aliases, group)) == heading


def test_the_backbone_is_the_rpc_hops_in_order_each_service_once_in_a_row():
    text = ("participant client\nparticipant nova_api\nparticipant nova_conductor\n"
            "participant nova_scheduler\nparticipant nova_compute\nparticipant database\n"
            "client->nova_api: POST /servers\nnova_api->database: save\n"
            "nova_api->>nova_conductor: build_instances\n"
            "nova_conductor->nova_scheduler: select_destinations\n"
            "nova_scheduler-->nova_conductor: hosts\n"
            "nova_conductor->>nova_compute: build_and_run_instance\n"
            "nova_conductor->nova_compute: check\n"
            "nova_compute->nova_compute: self\n")
    diagram = parse_text(text)
    assert backbone(diagram) == \
        "API → conductor (cast) → scheduler (call) → compute (call, cast)"
    assert counts(diagram) == (4, 5)
    facts = facts_of(diagram)
    assert Facts.from_json(facts.to_json()) == facts
    assert Facts.from_json({"title": 1}) is None and Facts.from_json(None) is None
    assert backbone(parse_text("client->nova_api: GET /x\nnova_api->database: read")) == ""


# ------------------------------------------------------------------ the shipped page


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def test_every_link_of_the_shipped_page_resolves():
    parser = _Links()
    parser.feed(SHIPPED.read_text())
    files = [h for h in parser.hrefs if not h.startswith("#")]
    assert len(files) >= 3 * 100  # overview, full, wsd per operation
    missing = [h for h in files if not (SHIPPED.parent / unquote(urlparse(h).path)).is_file()]
    assert missing == []
    anchors = {h[1:] for h in parser.hrefs if h.startswith("#")}
    assert anchors and all(f'id="{a}"' in SHIPPED.read_text() for a in anchors)


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through its ChromeDriver (.ci/run installs both); the
    test skips where either is missing."""
    if not (CHROMIUM and DRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def test_the_shipped_page_loads_clean_filters_and_shows_a_diagram(browser):
    from selenium.webdriver.common.by import By

    browser.get(SHIPPED.as_uri())
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-text]")
    assert len(rows) >= 100
    box = browser.find_element(By.ID, "search")
    box.send_keys("migrat")
    visible = [r for r in rows if r.is_displayed()]
    assert 3 <= len(visible) < len(rows)
    assert all("migrat" in r.get_attribute("data-text") for r in visible)
    shown = browser.find_element(By.ID, "shown").text
    assert shown == f"{len(visible)} shown"
    box.clear()
    box.send_keys("no-such-operation-anywhere")
    assert not any(r.is_displayed() for r in rows)
    assert not any(s.is_displayed() for s in browser.find_elements(By.TAG_NAME, "section"))
    # the first link of a row (its overview) draws: an <img> of it has a size
    href = rows[0].find_element(By.TAG_NAME, "a").get_attribute("href")
    size = browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; const img = new Image();"
        "img.onload = () => done([img.naturalWidth, img.naturalHeight]);"
        "img.onerror = () => done([0, 0]); img.src = arguments[0];", href)
    assert size[0] > 200 and size[1] > 100, (href, size)
    assert re.search(r"/overview/[\w.-]+\.svg$", href)
    assert browser.get_log("browser") == []
