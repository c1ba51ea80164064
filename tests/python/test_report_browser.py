"""The offline web report in a real browser: Debian's headless Chromium, driven by Selenium through
chromedriver, opens every page from disk with the network switched off (DevTools), and the tests
check what a reader sees against the marts in the warehouse: no request leaves the machine, no
console error, the filters change the numbers, every number shown equals its mart cell, and no
suppressed cell shows (or stores) a number. A screenshot of every page is saved as an artefact.

Skipped only when chromium or chromedriver is not installed (.ci/run installs both with apt).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pandas as pd
import pytest

from pcdm.report.views import NO_VALUE_LABEL, STEWARDS_PAGE, SUPPRESSED_LABEL, VIEWS

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium and chromium-driver are not installed (apt-get install chromium "
    "chromium-driver)",
)
PAGES = [view.page for view in VIEWS] + [STEWARDS_PAGE]

# Every table the page drew, as data: its mart, the filter it applied, and the text of each cell.
READ_TABLES = """
return Array.from(document.querySelectorAll('table.data')).map(function (t) {
  return {
    mart: t.dataset.mart, axis: t.dataset.axis || null,
    where: t.dataset.where ? JSON.parse(t.dataset.where) : null,
    rows: Array.from(t.querySelectorAll('tbody tr')).map(function (tr) {
      var cells = {};
      tr.querySelectorAll('td[data-col]').forEach(function (td) {
        cells[td.dataset.col] = {text: td.textContent,
                                 suppressed: td.classList.contains('suppressed')};
      });
      return {key: tr.dataset.key === undefined ? null : tr.dataset.key, cells: cells};
    })
  };
});
"""
# The value labels of each bar chart of a view, with the measure it draws.
READ_BARS = """
return Array.from(document.querySelectorAll('section[data-chart] svg.chart:not(.line)'))
  .map(function (svg) {
    return {measure: svg.dataset.measure,
            values: Array.from(svg.querySelectorAll('text.value')).map(function (t) {
              return t.textContent; })};
  });
"""
READ_FILTERS = """
var out = {};
document.querySelectorAll('select[data-filter]').forEach(function (s) { out[s.name] = s.value; });
return out;
"""


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1300,1600",
        "--allow-file-access-from-files",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws*://*"]})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def marts(county_build):
    with duckdb.connect(str(county_build.database), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $PCDM_TEST_ARTEFACTS/report_screenshots (for CI to keep), else
    pytest's temporary folder."""
    if os.environ.get("PCDM_TEST_ARTEFACTS"):
        folder = Path(os.environ["PCDM_TEST_ARTEFACTS"]) / "report_screenshots"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder
    return tmp_path_factory.mktemp("report_screenshots")


def open_page(driver, report: Path, page: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("performance")  # drop the entries of the page before
    driver.get_log("browser")
    driver.get((report / page).as_uri())
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.body.dataset.ready === 'true'")
    )


def is_local(url: str, folder: Path) -> bool:
    """A file of the report folder (file://host/... would be a network share) or data:."""
    parsed = urlparse(url)
    if parsed.scheme == "data":
        return True
    return parsed.scheme == "file" and parsed.netloc == "" and url.startswith(folder.as_uri() + "/")


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def shown_number(text: str) -> tuple[float, float]:
    """The number a cell shows (fi-FI: '1 063', '34,6 %', '1 474 719 €', '−0,25') and the
    tolerance of its rounding."""
    clean = re.sub(r"[\s\u00a0\u202f€]", "", text).replace("\u2212", "-").replace(",", ".")
    percent = clean.endswith("%")
    clean = clean.rstrip("%")
    decimals = len(clean.split(".")[1]) if "." in clean else 0
    value, tolerance = float(clean), 0.5 * 10**-decimals + 1e-9
    if percent:
        return value / 100, tolerance / 100
    return value, tolerance


def mart_frame(con, mart: str):
    schema = "dq" if mart.startswith("dq_") else "bi"
    return con.sql(f"select * from {schema}.{mart}").df()


def check_table_against_mart(con, table: dict) -> int:
    """Every number cell of a drawn table equals its mart cell; returns the cells compared."""
    frame = mart_frame(con, table["mart"])
    for column, value in table["where"].items():
        frame = frame[frame[column] == value]
    axis = table["axis"]
    keys = frame[axis].astype(str)
    compared = 0
    assert len(table["rows"]) == len(frame), (table["mart"], table["where"])
    for row in table["rows"]:
        match = frame[keys == row["key"]]
        assert len(match) == 1, (table["mart"], table["where"], row["key"])
        record = match.iloc[0]
        for column, cell in row["cells"].items():
            if column == axis or not pd_is_number(frame[column]):
                continue
            value = record[column]
            if bool(record["is_suppressed"]):
                assert cell == {"text": SUPPRESSED_LABEL, "suppressed": True}, (column, row["key"])
            elif pd.isna(value):
                assert cell["text"] == NO_VALUE_LABEL, (column, row["key"])
            else:
                shown, tolerance = shown_number(cell["text"])
                assert abs(shown - float(value)) <= tolerance, (
                    table["mart"], table["where"], row["key"], column, cell["text"], value,
                )  # fmt: skip
            compared += 1
    return compared


def pd_is_number(series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def test_every_page_renders_offline_with_no_request_out_and_no_console_error(
    browser, county_build, artefacts
):
    for page in PAGES:
        open_page(browser, county_build.report, page)
        urls = requested_urls(browser)
        assert urls, page  # the log works: at least the page itself was requested
        assert all(is_local(url, county_build.report) for url in urls), (page, urls)
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == [], (page, errors)
        assert browser.find_elements("css selector", "#content section"), page
        browser.save_screenshot(str(artefacts / page.replace(".html", ".png")))
    assert sorted(p.name for p in artefacts.glob("*.png")) == sorted(
        p.replace(".html", ".png") for p in PAGES
    )


def test_the_dbt_docs_open_offline_from_the_stewards_page(browser, county_build):
    """The dbt docs page (dbt's own code) renders a mart's documentation with the network off and
    asks for nothing outside the folder. Its console is not checked: dbt's page logs errors of its
    own under file:// (icon templates it requests before rendering them)."""
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, county_build.report, STEWARDS_PAGE)
    assert browser.find_element("css selector", "a[href='dbt-docs.html']").is_displayed()
    browser.get_log("performance")
    browser.get(
        (county_build.report / "dbt-docs.html").as_uri() + "#!/model/model.pcdm.bi_service_users"
    )
    WebDriverWait(browser, 30).until(
        lambda d: "Soite multi-service report" in d.execute_script("return document.body.innerText")
    )
    urls = requested_urls(browser)
    assert urls and all(is_local(url, county_build.report) for url in urls), sorted(set(urls))
    assert county_build.salt not in (county_build.report / "dbt-docs.html").read_text()


def test_the_numbers_shown_equal_the_marts(browser, county_build, marts):
    compared = 0
    for view in VIEWS:
        open_page(browser, county_build.report, view.page)
        tables = browser.execute_script(READ_TABLES)
        filters = browser.execute_script(READ_FILTERS)
        assert len(tables) == len(view.charts), view.page
        for table in tables:
            for column, value in table["where"].items():
                if column in filters:
                    assert filters[column] == value, (view.page, column)
            compared += check_table_against_mart(marts, table)
        # each bar shows what its table row shows (and the table equals the mart)
        bars = browser.execute_script(READ_BARS)
        charts = [c for c in view.charts if c.kind != "line"]
        assert len(bars) == len(charts), view.page
        for chart, drawn in zip(charts, bars, strict=True):
            table = tables[view.charts.index(chart)]
            rows = [row for row in table["rows"] if row["key"] != "all"]
            expected = [row["cells"][drawn["measure"]]["text"] for row in rows]
            assert drawn["values"] == expected, (view.page, chart.axis)
    assert compared > 100


def test_the_filters_change_the_numbers(browser, county_build, marts):
    from selenium.webdriver.support.ui import Select

    open_page(browser, county_build.report, "index.html")
    before = browser.execute_script(READ_TABLES)[0]
    assert before["where"] == {"age_group": "all", "sex": "all", "heavy_user_group": "all"}
    seen = [before]
    for column, value in (("sex", "female"), ("heavy_user_group", "yes"), ("age_group", "65+")):
        Select(browser.find_element("css selector", f"select[name={column}]")).select_by_value(
            value
        )
        table = browser.execute_script(READ_TABLES)[0]
        assert table["where"][column] == value
        assert table["rows"] != seen[-1]["rows"], column
        check_table_against_mart(marts, table)
        seen.append(table)
    # the measure choice redraws the chart (pyramid: persons -> cost per person)
    open_page(browser, county_build.report, "pyramid.html")
    chart = browser.find_element("css selector", "section[data-chart='0'] svg").text
    Select(browser.find_element("css selector", "select[data-measure='0']")).select_by_value(
        "cost_per_person_eur"
    )
    assert "€" in browser.find_element("css selector", "section[data-chart='0'] svg").text
    assert browser.find_element("css selector", "section[data-chart='0'] svg").text != chart


def test_the_stewards_page_shows_the_gate_quarantine_reconciliation_and_freshness(
    browser, county_build, marts
):
    from selenium.webdriver.support.ui import Select

    open_page(browser, county_build.report, STEWARDS_PAGE)
    tables = {t["mart"]: t for t in browser.execute_script(READ_TABLES)}
    for mart in (
        "dq_results",
        "dq_check_results",
        "dq_quarantine_by_reason",
        "dq_reconciliation",
        "dq_delivery_log",
    ):
        assert len(tables[mart]["rows"]) == len(mart_frame(marts, mart)), mart
    assert len(tables["dq_source_freshness"]["rows"]) == len(
        mart_frame(marts, "dq_source_freshness")
    )
    statuses = mart_frame(marts, "dq_results")["status"].value_counts()
    for status in ("pass", "warn", "fail"):
        card = browser.find_element("css selector", f".card[data-status={status}] .big").text
        assert shown_number(card)[0] == statuses.get(status, 0), status
    Select(browser.find_element("css selector", "select[name=status]")).select_by_value("pass")
    shown = browser.execute_script(READ_TABLES)
    gate = next(t for t in shown if t["mart"] == "dq_results")
    assert len(gate["rows"]) == statuses["pass"]
    # every expectation links its great-expectations suite, which is in the folder
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('td[data-col=check_name] a'))"
        ".map(function (a) { return a.getAttribute('href'); })"
    )
    assert links and all((county_build.report / link).is_file() for link in links)


def test_the_comparison_with_the_marts_sees_a_wrong_or_leaked_number(marts):
    """check_table_against_mart, fed a table as the page would draw it, passes it as drawn and
    fails it with one number changed or a suppressed cell shown as a number."""
    where = {"age_group": "all", "sex": "all", "municipality_code": "all"}
    frame = mart_frame(marts, "bi_kaiser_pyramid")
    for column, value in where.items():
        frame = frame[frame[column] == value]

    def cell(row, hidden: bool) -> dict:
        text = SUPPRESSED_LABEL if hidden else str(int(row.n_persons))
        return {"text": text, "suppressed": hidden}

    def drawn(change=None) -> dict:
        rows = []
        for row in frame.itertuples():
            hidden = bool(row.is_suppressed)
            n_persons = cell(row, hidden)
            if change == row.kaiser_tier:
                n_persons = {
                    "text": "1" if hidden else str(int(row.n_persons) + 1),
                    "suppressed": False,
                }
            rows.append({"key": row.kaiser_tier, "cells": {"n_persons": n_persons}})
        return {"mart": "bi_kaiser_pyramid", "axis": "kaiser_tier", "where": where, "rows": rows}

    assert check_table_against_mart(marts, drawn()) == len(frame)
    with pytest.raises(AssertionError):
        check_table_against_mart(marts, drawn(change="all"))
