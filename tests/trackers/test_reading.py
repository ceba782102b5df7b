"""The plan reader on sentences in the style of other provinces' plans, one per wording kind."""
from decimal import Decimal

import pytest

from trackers.reading import parse_departments, read_plan


def only_target(text, **expected):
    targets = [d for d in read_plan(text) if d.kind == "target"]
    assert len(targets) == 1, [(d.value_text, d.clause) for d in targets]
    draft = targets[0]
    for field, value in expected.items():
        assert getattr(draft, field) == value, (field, getattr(draft, field))
    assert draft.clause in text.replace(" ", "")
    return draft


@pytest.mark.parametrize("text, expected", [
    ("到2025年，全省数字经济核心产业增加值占地区生产总值比重达到10%左右。",
     {"value": Decimal(10), "unit": "%", "comparator": "approx", "year": 2025}),
    ("培育国家级专精特新“小巨人”企业100家以上。到2027年，工业投资稳步增长。",
     {"value": Decimal(100), "unit": "家", "comparator": "gte"}),
    ("力争2027年营业收入突破3000亿元。", {"value": Decimal(3000), "unit": "亿元", "comparator": "gt",
                                       "aspirational": True, "year": 2027}),
    ("到2025年，新增上市公司3-5家。", {"value": Decimal(3), "value_high": Decimal(5), "comparator": "range",
                                    "basis": "cumulative"}),
    ("每年新增高新技术企业不少于200家。", {"value": Decimal(200), "basis": "annual", "comparator": "gte"}),
    ("到2025年，单位GDP能耗下降13.5%。", {"value": Decimal("13.5"), "comparator": "lte"}),
    ("到2025年，产业规模达到1万亿元。", {"value": Decimal(1), "unit": "万亿元"}),
    ("到2025年，有效发明专利量超过1.5万件。", {"value": Decimal(15000), "unit": "件", "comparator": "gt"}),
    ("争取到2030年建成两个国家级创新中心。", {"value": Decimal(2), "unit": "个", "aspirational": True, "year": 2030}),
])
def test_every_comparator_kind(text, expected):
    only_target(text, **expected)


def test_baselines_keep_their_qualifier():
    drafts = read_plan("截止到2019年，全省生物医药与健康产业营业收入超过5000亿元。截至2021年，全市营业收入约50亿元。")
    baselines = [(d.value, d.qualifier, d.year) for d in drafts if d.kind == "baseline"]
    assert baselines == [(Decimal(5000), "over", 2019), (Decimal(50), "about", 2021)]


def test_a_dated_deliverable_without_a_number_is_a_milestone():
    drafts = read_plan("在2018年底前建成全市统一的健康信息平台。2023年底前建成5个省级创新中心。")
    milestones = [d for d in drafts if d.kind == "milestone"]
    assert len(milestones) == 1 and milestones[0].year == 2018 and "健康信息平台" in milestones[0].clause
    targets = [d for d in drafts if d.kind == "target"]
    assert [(t.value, t.year) for t in targets] == [(Decimal(5), 2023)]


def test_department_bracket_after_the_task():
    text = "到2025年，建设30家省级临床医学研究中心。（市发展改革委牵头，市科技局、工业和信息化局按职责分工负责）"
    draft = only_target(text, value=Decimal(30))
    assert draft.lead_departments == ["市发展改革委"]
    assert draft.cooperating_departments == ["市科技局", "市工业和信息化局"]


def test_short_names_inherit_the_level_prefix():
    assert parse_departments("（省发展改革委、科技厅牵头，省卫生健康委、中医药局按职责分工负责）") == (
        ["省发展改革委", "省科技厅"], ["省卫生健康委", "省中医药局"])


def test_offsets_point_at_the_clause_in_the_whitespace_free_text():
    text = "一、目标\n到2025年，\n大健康产业营收达 1200 亿元，培育上市企业12家。"
    flat = "".join(text.split())
    for draft in read_plan(text):
        assert flat[draft.start:draft.end] == draft.clause


def test_names_and_ordinals_are_not_promises():
    drafts = read_plan("“十三五”时期，以五大产业为重点，实施第三批项目。")
    assert [d for d in drafts if d.kind == "target"] == []
