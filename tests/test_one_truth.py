"""One truth across every surface: for every target of the five plans with the demo figures, at a
date in the middle of the newer plans and a date after every plan has ended, the target page, the
plan page's row, the API's progress, and the CSV, XLSX and PDF gap reports (read back) state the
engine's own latest value (cumulative or level, with its label), progress, gap, status and
expected value. A surface that computed a number of its own would disagree here."""
import csv
import datetime as dt
import io
import math
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from kpis.selectors import progress_frame
from kpis.services import snapshots_recompute
from reporting.exports.report import Scope
from reporting.exports.services import ReportRequest, gap_report_build
from reporting.wording import status_labels
from tests.factories import UserFactory
from tests.reporting_exports.helpers import pdf_text, sheet_rows, workbook_of
from trackers import roles
from trackers.models import Target
from trackers.services.demo import demo_load

pytestmark = pytest.mark.django_db

DATES = (dt.date(2023, 6, 30), dt.date(2026, 6, 30))  # mid-period of the 2021-2025 plans; after every plan


def close(stated, engine, rel=1e-6, abs_=1e-6) -> bool:
    """A stated number against the engine's float: both missing, or equal to stored precision."""
    missing = stated is None or stated == ""
    engine_missing = engine is None or (isinstance(engine, float) and math.isnan(engine))
    if missing or engine_missing:
        return missing and engine_missing
    return math.isclose(float(stated), float(engine), rel_tol=rel, abs_tol=abs_)


class Disagreements:
    def __init__(self):
        self.found = []

    def check(self, surface, as_of, target_id, field, stated, engine, **tolerance):
        if not close(stated, engine, **tolerance):
            self.found.append(f"{surface} {as_of} target {target_id} {field}: states {stated!r}, engine {engine!r}")

    def equal(self, surface, as_of, target_id, field, stated, engine):
        if stated != engine:
            self.found.append(f"{surface} {as_of} target {target_id} {field}: states {stated!r}, engine {engine!r}")


@pytest.fixture
def world(settings):
    settings.DEMO_MODE = True
    demo_load()
    targets = Target.objects.all()
    engine = {}
    for as_of in DATES:
        snapshots_recompute(targets, as_of, scope="one-truth")
        frame = progress_frame(targets, as_of)
        engine[as_of] = {int(row["target_id"]): row for row in frame.to_dict("records")}
    keys = {(plan, key): pk for pk, plan, key in targets.values_list("pk", "plan__code", "key")}
    basis = dict(targets.values_list("pk", "basis"))
    return engine, keys, basis


def number(value):
    return None if value in (None, "") else float(value)


def test_every_surface_states_the_engines_numbers(client, world):
    engine, keys, basis = world
    leader = UserFactory(role=roles.LEADER)
    client.force_login(leader)
    api = APIClient()
    api.force_authenticate(leader)
    found = Disagreements()
    for as_of in DATES:
        expected = engine[as_of]
        assert len(expected) == len(keys) > 60
        assert any(row["status"] != "no_data" for row in expected.values())
        _target_pages(client, as_of, expected, basis, found)
        _plan_pages(client, as_of, expected, basis, found)
        _api_progress(api, as_of, expected, basis, found)
        _gap_reports(leader, as_of, expected, keys, basis, found)
    assert not found.found, "\n".join(found.found[:40])


def _numbers(row: dict) -> dict:
    return {"latest": row["latest_value"], "progress": row["progress"], "gap": row["gap"],
            "expected": row["trajectory_value"], "status": row["status"]}


# The target page: the facts list states each number with its exact value in data-value.

def _target_pages(client, as_of, expected, basis, found):
    for target_id, row in expected.items():
        html = client.get(f"/dashboards/targets/{target_id}/", {"as_of": as_of.isoformat()}).content.decode()
        stated = {name: _attribute(html, element) for name, element in
                  (("latest", "latest-value"), ("progress", "progress"), ("gap", "gap"), ("expected", "expected-value"))}
        status = re.search(r'id="target-status" data-status="(\w+)"', html).group(1)
        _compare("target page", as_of, target_id, stated, status, row, found)
        if basis[target_id] == "cumulative" and row["latest_year"] == row["latest_year"]:
            kind = re.search(r'id="latest-value"[^>]*data-kind="(\w+)"[^>]*>([^<]*)<', html)
            found.equal("target page", as_of, target_id, "latest label", (kind.group(1), "累计" in kind.group(2)),
                        ("cumulative", True))


def _attribute(html: str, element_id: str):
    match = re.search(rf'id="{element_id}" data-value="([^"]*)"', html)
    return number(match.group(1)) if match else None


def _compare(surface, as_of, target_id, stated, status, row, found, **tolerance):
    engine = _numbers(row)
    for field in ("latest", "progress", "gap", "expected"):
        found.check(surface, as_of, target_id, field, stated[field], engine[field], **tolerance.get(field, {}))
    found.equal(surface, as_of, target_id, "status", status, engine["status"])


# The plan page: one row per target, the numbers in data-value attributes.

PLAN_ROW = re.compile(r'<tr class="status-\w+" data-target-id="(\d+)">(.*?)</tr>', re.S)


def _plan_pages(client, as_of, expected, basis, found):
    seen = set()
    for plan in sorted({code for code in Target.objects.values_list("plan__code", flat=True)}):
        html = client.get(f"/dashboards/plans/{plan}/", {"as_of": as_of.isoformat()}).content.decode()
        for target_id, cells in PLAN_ROW.findall(html):
            target_id = int(target_id)
            seen.add(target_id)
            stated = {name: number(re.search(rf'class="{css}" data-value="([^"]*)"', cells).group(1))
                      for name, css in (("latest", "latest"), ("progress", "progress"), ("gap", "gap"),
                                        ("expected", "expected"))}
            status = re.search(r'data-status="(\w+)"', cells).group(1)
            _compare("plan page", as_of, target_id, stated, status, expected[target_id], found)
            if basis[target_id] == "cumulative" and expected[target_id]["latest_year"] == expected[target_id]["latest_year"]:
                found.equal("plan page", as_of, target_id, "latest label", "累计" in cells, True)
    found.equal("plan pages", as_of, "all", "rows", seen, set(expected))


# The API: /api/progress/ at the date, every page.

def _api_progress(api, as_of, expected, basis, found):
    rows, url = [], f"/api/progress/?as_of={as_of.isoformat()}"
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
    found.equal("api", as_of, "all", "rows", {row["target"] for row in rows}, set(expected))
    for row in rows:
        stated = {"latest": number(row["latest_value"]), "progress": number(row["progress"]),
                  "gap": number(row["gap"]), "expected": number(row["trajectory_value"])}
        _compare("api", as_of, row["target"], stated, row["status"], expected[row["target"]], found)
        found.equal("api", as_of, row["target"], "basis", row["basis"], basis[row["target"]])


# The gap reports, each format read back.

def _gap_reports(user, as_of, expected, keys, basis, found):
    files = {fmt: gap_report_build(user=user, request=ReportRequest(Scope("all"), as_of, fmt, "zh-hans", "web"))
             for fmt in ("csv", "xlsx", "pdf")}
    _csv_rows(files["csv"].content, as_of, expected, keys, basis, found)
    _xlsx_rows(files["xlsx"].content, as_of, expected, keys, basis, found)
    _pdf_rows(files["pdf"].content, as_of, expected, found)


def _csv_rows(content: bytes, as_of, expected, keys, basis, found):
    blocks, current = defaultdict(list), None
    for line in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        if len(line) == 1 and line[0].startswith("["):
            current = line[0]
        elif line and current:
            blocks[current].append(line)
    header, *rows = blocks["[目标]"]
    table = [dict(zip(header, row)) for row in rows]
    found.equal("csv", as_of, "all", "rows", len(table), len(expected))
    for row in table:
        target_id = keys[(row["规划代码"], row["目标代码"])]
        gap = next(value for heading, value in row.items() if heading.startswith("差距"))  # heading says the sign
        stated = {"latest": number(row["最新审定值"]), "progress": _fraction(row["进度 (%)"]),
                  "gap": number(gap), "expected": number(row["按预期路径当前应达值"])}
        _compare("csv", as_of, target_id, stated, row["状态代码"], expected[target_id], found,
                 progress={"rel": 0, "abs_": 0.00006})  # the CSV writes percentages with two decimals
        if row["最新审定值"]:
            found.equal("csv", as_of, target_id, "latest label", row["最新值口径"],
                        "累计值" if basis[target_id] == "cumulative" else "当年值")


def _fraction(text: str):
    return None if not text else float(Decimal(text) / 100)


def _xlsx_rows(content: bytes, as_of, expected, keys, basis, found):
    table = sheet_rows(workbook_of(content)["目标"])
    found.equal("xlsx", as_of, "all", "rows", len(table), len(expected))
    for row in table:
        target_id = keys[(row["规划代码"], row["目标代码"])]
        stated = {"latest": row["最新审定值"], "progress": row["进度"], "gap": row["差距"],
                  "expected": row["按预期路径当前应达值"]}
        _compare("xlsx", as_of, target_id, stated, row["状态代码"], expected[target_id], found)
        if row["最新审定值"] is not None:
            found.equal("xlsx", as_of, target_id, "latest label", row["最新值口径"],
                        "累计值" if basis[target_id] == "cumulative" else "当年值")


def _pdf_rows(content: bytes, as_of, expected, found):
    """The PDF prints each target row after its reference T1, T2, ... in the report's order (the
    engine's rows sorted as the report sorts them); every number the engine gives must be printed
    in that row, and its status label."""
    text = re.sub(r"\s+", " ", pdf_text(content))
    with translation.override("zh-hans"):
        statuses = status_labels()
    order = _report_order(expected)
    starts, position = [], 0
    for number_ in range(1, len(order) + 1):
        position = re.compile(rf"(?<![\w.]){'T'}{number_}(?!\d)").search(text, position).start()
        starts.append(position)
    milestones = re.compile(r"(?<![\w.])M1(?!\d)").search(text, starts[-1])
    starts.append(milestones.start() if milestones else len(text))
    for index, target_id in enumerate(order):
        chunk = text[starts[index]:starts[index + 1]]
        printed = [float(n.replace(",", "")) for n in re.findall(r"-?[\d,]*\d(?:\.\d+)?", chunk)]
        row = expected[target_id]
        for field, value, tolerance in (("latest", row["latest_value"], 1e-6), ("gap", row["gap"], 1e-6),
                                        ("expected", row["trajectory_value"], 1e-6),
                                        ("progress", row["progress"] * 100 if row["progress"] == row["progress"]
                                         else float("nan"), 0.006)):
            if value != value:
                continue
            if field == "gap" and value < 0 and "超出" in chunk:  # an exceeded target: 超出 |gap|
                value = -value
            if not any(math.isclose(p, value, rel_tol=tolerance, abs_tol=tolerance) for p in printed):
                found.found.append(f"pdf {as_of} target {target_id} {field}: {value} not printed in row: {chunk[:120]}")
        if statuses[row["status"]] not in chunk:
            found.found.append(f"pdf {as_of} target {target_id} status: {statuses[row['status']]} not printed")


def _report_order(expected) -> list[int]:
    """Targets in the report's row order: by plan code, then target key."""
    order = dict(Target.objects.values_list("pk", "plan__code"))
    keys = dict(Target.objects.values_list("pk", "key"))
    return sorted(expected, key=lambda pk: (order[pk], keys[pk]))
