"""Likeness of promises (trackers.matching): indicator suggestions and revision pairs."""
from decimal import Decimal

from trackers.matching import Candidate, IndicatorIndex, Promise, changed_fields, indicator_kind_for, likeness, match_promises

INDICATORS = [
    Candidate(1, "生物医药与健康产业营业收入", "亿元"),
    Candidate(2, "生物医药产业营业收入", "亿元"),
    Candidate(3, "生物医药产业营业收入增速", "%"),
    Candidate(4, "上市企业数量", "家"),
    Candidate(5, "医疗器械产业产值", "亿元"),
]


def test_the_same_name_in_the_same_unit_family_comes_first():
    ranked = IndicatorIndex(INDICATORS).rank("生物医药产业营业收入", "万亿元")
    assert [s.pk for s in ranked][:3] == [2, 1, 3]  # 万亿元 is money like 亿元; % is another measure
    assert ranked[0].score > 1 > ranked[2].score


def test_nothing_alike_is_not_suggested():
    assert IndicatorIndex(INDICATORS).rank("森林覆盖率", "%") == []


def test_likeness_ignores_years_numbers_and_wording_around_the_subject():
    clause = "到2025年，全市上市企业达到12家"
    assert likeness(clause, "上市企业数量") > likeness(clause, "医疗器械产业产值")
    assert likeness("", "上市企业") == 0


def test_a_changed_clause_is_paired_with_the_target_it_revises_by_likeness_and_unit():
    old = [Promise(1, "到2025年，大健康产业营收达1200亿元", "大健康产业营业收入", "亿元", Decimal(1200), None, "gte", 2025),
           Promise(2, "培育上市企业12家", "上市企业数量", "家", Decimal(12), None, "gte", 2025)]
    new = [Promise(10, "新增国家级创新载体8个", "国家级创新载体", "个", Decimal(8), None, "gte", 2025),
           Promise(11, "到2025年，大健康产业营收达1300亿元", "大健康产业营收", "亿元", Decimal(1300), None, "gte", 2025)]
    assert match_promises(old, new) == {1: 11}


def test_what_a_revision_changes_is_compared_in_base_units():
    one = Promise(1, "", "", "万亿元", Decimal(1), None, "gte", 2025)
    same = Promise(2, "", "", "亿元", Decimal(10000), None, "gte", 2025)
    later = Promise(3, "", "", "亿元", Decimal(10000), None, "gt", 2027)
    assert changed_fields(one, same) == []
    assert changed_fields(one, later) == ["comparator", "year"]


def test_a_first_guess_of_a_new_indicators_kind():
    assert [indicator_kind_for(u, s) for u, s in (("亿元", "营业收入"), ("家", "上市企业"), ("%", "研发投入强度"),
                                                  ("%", "产业增加值占GDP比重"), ("平方米", "建筑面积"))] == \
        ["flow", "count", "rate", "share", "stock"]
