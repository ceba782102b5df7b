"""The curated published figures (fixtures/published/*.yaml) are sound, and the checker that
guards them catches each kind of problem: it is fed broken copies of a real file."""
import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from trackers.plan_fixtures import fixture_paths, read_fixture
from trackers.published_fixtures import (
    check_published,
    convert_published,
    counted_figures,
    published_paths,
    read_published,
    read_value_text,
    value_in_unit,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PUBLISHED_FILES = published_paths(FIXTURES / "published")
REGIONS = {row["name"] for row in yaml.safe_load((FIXTURES / "regions.yaml").read_text("utf-8"))}
GUANGDONG = "guangdong-biomed-2021-2025"


def plan_for(data: dict) -> dict:
    return read_fixture(FIXTURES / "plans" / f"{data['plan']}.yaml")


def all_figures():
    for path in PUBLISHED_FILES:
        data = read_published(path)
        for row in data["figures"]:
            yield pytest.param(row, plan_for(data), id=f"{path.stem}:{row['key']}")


@pytest.fixture
def guangdong():
    """A fresh copy of the Guangdong file and its plan fixture, to break."""
    data = read_published(FIXTURES / "published" / f"{GUANGDONG}.yaml")
    return copy.deepcopy(data), plan_for(data)


def figure(data: dict, key: str) -> dict:
    return next(row for row in data["figures"] if row["key"] == key)


def problems_of(data: dict, plan: dict) -> list[str]:
    return check_published(data, plan, REGIONS)


# The files as curated


def test_every_plan_has_one_published_file():
    assert {p.stem for p in PUBLISHED_FILES} == {p.stem for p in fixture_paths(FIXTURES / "plans")}


@pytest.mark.parametrize("path", PUBLISHED_FILES, ids=lambda p: p.stem)
def test_published_file_has_no_problems(path):
    data = read_published(path)
    assert check_published(data, plan_for(data), REGIONS) == []


@pytest.mark.parametrize("row, plan", list(all_figures()))
def test_every_sentence_contains_its_value_and_unit(row, plan):
    sentence = row["source"]["sentence"]
    assert row["value_text"] in sentence
    quantity = read_value_text(row["value_text"])
    assert quantity.low == Decimal(row["value"])
    assert quantity.unit == row["unit"]
    indicator = next(i for i in plan["indicators"] if i["code"] == row["indicator"])
    value_in_unit(row, indicator["unit"])  # converts exactly, or raises


@pytest.mark.parametrize("row, plan", list(all_figures()))
def test_every_figure_cites_an_address_and_a_publisher(row, plan):
    assert row["source"]["url"].startswith(("http://", "https://"))
    assert row["source"]["publisher"].strip() and row["source"]["title"].strip()


def test_headline_revenue_of_guangdong_has_counted_figures_and_the_others_say_not_found():
    counted = {}
    not_found = {}
    for path in PUBLISHED_FILES:
        data = read_published(path)
        counted[data["plan"]] = {k for row in counted_figures(data) for k in row["targets"]}
        not_found[data["plan"]] = {row["target"] for row in data["searched_not_found"]}
    assert "revenue-2025" in counted[GUANGDONG]
    assert "output-2020" in not_found["jiangmen-health-2016-2020"]
    assert "revenue-2025" in not_found["shenzhen-health-2022-2025"]
    assert "industry-scale-2020" in not_found["guangzhou-health-elderly-2017-2020"]
    assert "biomed-output-2025" in not_found["chaozhou-biomed-2022-2025"]


# Reading numbers


@pytest.mark.parametrize(
    "text, low, unit",
    [
        ("4112.83億元", Decimal("4112.83"), "亿元"),
        ("1.2万亿元", Decimal("1.2"), "万亿元"),
        ("12000亿元", Decimal(12000), "亿元"),
        ("万件", Decimal(10000), "件"),
        ("8個", Decimal(8), "个"),
        ("676 亿元", Decimal(676), "亿元"),
        ("37 billion RMB", Decimal(37), "billion RMB"),
    ],
)
def test_value_text_is_read_as_the_source_states_it(text, low, unit):
    quantity = read_value_text(text)
    assert (quantity.low, quantity.unit) == (low, unit)


def test_units_convert_exactly_into_the_indicator_unit():
    assert convert_published(Decimal("1.2"), "万亿元", "亿元") == Decimal(12000)
    assert convert_published(Decimal(37), "billion RMB", "亿元") == Decimal(370)


def test_a_figure_in_wan_yi_yuan_matches_its_text_and_converts(guangdong):
    data, plan = guangdong
    row = figure(data, "revenue-2022-nfdaily")
    row.update(value="0.411283", unit="万亿元", value_text="0.411283万亿元")
    row["source"]["sentence"] = "2022年,广东生物医药与健康产业集群完成营业收入0.411283万亿元"
    assert problems_of(data, plan) == []
    assert value_in_unit(row, "亿元") == (Decimal("4112.830000"), None)


# The checker catches each kind of problem (broken copies of the real Guangdong file)


def test_unknown_indicator_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["indicator"] = "gdp"
    assert any("indicator 'gdp' not declared" in p for p in problems_of(data, plan))


def test_unknown_target_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["targets"] = ["revenue-2030"]
    assert any("target 'revenue-2030' not in the plan fixture" in p for p in problems_of(data, plan))


def test_target_of_another_indicator_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["targets"] = ["rd-intensity-2025"]
    assert any("measures biomed_rd_intensity" in p for p in problems_of(data, plan))


def test_unknown_region_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["region"] = "黄埔区"
    assert any("unknown region '黄埔区'" in p for p in problems_of(data, plan))


def test_value_text_missing_from_sentence_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["source"]["sentence"] = "2022年,广东生物医药与健康产业集群稳步壮大"
    assert any("not found in the sentence" in p for p in problems_of(data, plan))


def test_value_that_is_not_the_texts_number_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["value"] = "4112.8"  # rounded: not what the source says
    assert any("reads as 4112.83" in p for p in problems_of(data, plan))


def test_unit_that_is_not_the_texts_unit_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["unit"] = "万元"
    assert any("figure says unit '万元'" in p for p in problems_of(data, plan))


def test_unit_that_cannot_convert_to_the_indicator_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "comprehensive-parks-2022-nfdaily")
    row.update(value="10", unit="亿元", value_text="10亿元")
    row["source"]["sentence"] = "园区产值10亿元"
    assert any("does not convert to the indicator's unit" in p for p in problems_of(data, plan))


def test_value_text_occurring_twice_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "firms-over-50bn-2022-nfdaily")
    row["source"]["sentence"] = "培育2家銷售收入超500億元的企業,另有2家在建"
    assert any("occurs more than once" in p for p in problems_of(data, plan))


@pytest.mark.parametrize("field", ["url", "publisher", "title", "sentence"])
def test_missing_source_field_is_reported(guangdong, field):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["source"][field] = ""
    assert any(f"source has no {field}" in p for p in problems_of(data, plan))


def test_address_that_is_not_a_web_address_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["source"]["url"] = "南方日报2023年2月17日"
    assert any("is not a web address" in p for p in problems_of(data, plan))


def test_missing_date_without_a_note_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "revenue-2024-askci")
    row["source"]["published_on"] = None
    row.pop("note")
    assert any("published_on is null" in p for p in problems_of(data, plan))


@pytest.mark.parametrize("year", [2017, 2031])
def test_year_outside_the_plan_is_reported(guangdong, year):
    data, plan = guangdong
    row = figure(data, "device-approvals-2022-gdmpa")
    row["year"] = year
    row["source"]["sentence"] = row["source"]["sentence"].replace("2022年", f"{year}年")
    assert any(f"year {year} outside 2019..2030" in p for p in problems_of(data, plan))


def test_year_after_publication_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["source"]["published_on"] = dt.date(2021, 12, 31)
    assert any("after the source's publication" in p for p in problems_of(data, plan))


def test_duplicate_figure_is_reported(guangdong):
    data, plan = guangdong
    twin = copy.deepcopy(figure(data, "revenue-2022-nfdaily"))
    twin["key"] = "revenue-2022-other-page"
    data["figures"].append(twin)
    assert any("duplicates figure revenue-2022-nfdaily" in p for p in problems_of(data, plan))


def test_duplicate_key_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2023-stdaily")["key"] = "revenue-2022-nfdaily"
    assert any("key 'revenue-2022-nfdaily' appears twice" in p for p in problems_of(data, plan))


def test_scope_mismatch_without_a_note_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "new-drugs-2024-yaliqi")
    row["scope_note"] = ""
    assert any("scope_matches is false without a scope_note" in p for p in problems_of(data, plan))


def test_scope_mismatch_is_kept_but_not_counted(guangdong):
    data, _ = guangdong
    shown = figure(data, "new-drugs-2024-yaliqi")
    assert shown["scope_matches"] is False and shown["scope_note"]
    assert shown not in counted_figures(data)
    assert figure(data, "revenue-2023-stdaily") in counted_figures(data)


def test_district_figure_claiming_to_match_the_city_is_reported():
    data = read_published(FIXTURES / "published" / "guangzhou-health-elderly-2017-2020.yaml")
    plan = plan_for(data)
    row = figure(data, "huangpu-biomed-revenue-2020-xkb")
    row["scope_matches"] = True
    row["region"] = "深圳市"
    assert any("region 深圳市 differs from target bio-industry-revenue-2020" in p for p in problems_of(data, plan))


def test_all_time_total_counted_toward_a_cumulative_target_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "device-approvals-alltime-2022-gdmpa")["scope_matches"] = True
    assert any("a level figure cannot count toward cumulative target" in p for p in problems_of(data, plan))


def test_cumulative_figure_needs_its_first_year(guangdong):
    data, plan = guangdong
    figure(data, "device-approvals-alltime-2022-gdmpa")["measure"] = "cumulative"
    assert any("names cumulative_since" in p for p in problems_of(data, plan))


def test_qualifier_contradicting_the_words_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "invention-patents-2023-askci")["qualifier"] = "exact"  # the source says 超万件
    assert any("words make it over" in p for p in problems_of(data, plan))


def test_forecast_sentence_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "revenue-2024-askci")
    row["source"]["sentence"] = "预计2024年,生物医药与健康产业集群实现营业收入约4486.63亿元"
    assert any("reads as a forecast" in p for p in problems_of(data, plan))


def test_sentence_with_line_breaks_is_reported(guangdong):
    data, plan = guangdong
    row = figure(data, "revenue-2024-askci")
    row["source"]["sentence"] = "2024年,生物医药与健康产业集群\n实现营业收入约4486.63亿元"
    assert any("line breaks" in p for p in problems_of(data, plan))


def test_target_neither_covered_nor_listed_is_reported(guangdong):
    data, plan = guangdong
    data["searched_not_found"] = [r for r in data["searched_not_found"] if r["target"] != "rd-intensity-2025"]
    assert "target rd-intensity-2025: no counted figure and not listed in searched_not_found" in problems_of(data, plan)


def test_target_with_only_uncounted_figures_must_say_it_was_searched(guangdong):
    data, plan = guangdong
    data["searched_not_found"] = [r for r in data["searched_not_found"] if r["target"] != "new-drug-approvals-2025"]
    assert any("target new-drug-approvals-2025: no counted figure" in p for p in problems_of(data, plan))


def test_not_found_year_that_a_counted_figure_gives_is_reported(guangdong):
    data, plan = guangdong
    entry = next(r for r in data["searched_not_found"] if r["target"] == "revenue-2025")
    entry["years"].append(2023)
    assert any("year 2023 is listed as not found" in p for p in problems_of(data, plan))


def test_not_found_entry_without_a_search_description_is_reported(guangdong):
    data, plan = guangdong
    data["searched_not_found"][0]["searched"] = " "
    assert any("say what was searched" in p for p in problems_of(data, plan))


def test_unknown_field_is_reported(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["scope_match"] = True
    assert any("unknown field 'scope_match'" in p for p in problems_of(data, plan))


def test_file_for_another_plan_is_reported(guangdong):
    data, plan = guangdong
    data["plan"] = "shenzhen-health-2022-2025"
    assert any("is not the plan fixture's code" in p for p in problems_of(data, plan))


def test_checker_reports_every_problem_not_just_the_first(guangdong):
    data, plan = guangdong
    figure(data, "revenue-2022-nfdaily")["indicator"] = "gdp"
    figure(data, "revenue-2023-stdaily")["source"]["url"] = ""
    figure(data, "revenue-2024-askci")["qualifier"] = "exact"
    assert len(problems_of(data, plan)) >= 3
