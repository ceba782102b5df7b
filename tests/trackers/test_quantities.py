from decimal import Decimal

import pytest

from trackers.quantities import Quantity, UnitError, convert, normalize_text, parse_quantity


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1万亿元", Quantity(Decimal(1), None, "万亿元")),
        ("5000亿元", Quantity(Decimal(5000), None, "亿元")),
        ("1.5万件", Quantity(Decimal(15000), None, "件")),
        ("30-50家", Quantity(Decimal(30), Decimal(50), "家")),
        ("1～2个", Quantity(Decimal(1), Decimal(2), "个")),
        ("40%", Quantity(Decimal(40), None, "%")),
        ("五百亿的企业", Quantity(Decimal(500), None, "亿元")),
        ("百亿元", Quantity(Decimal(100), None, "亿元")),
        ("十大", Quantity(Decimal(10), None, "")),
        ("不少于600名", Quantity(Decimal(600), None, "名")),
        ("一家", Quantity(Decimal(1), None, "家")),
    ],
)
def test_parse_quantity_reads_arabic_and_chinese_numerals_with_units(text, expected):
    assert parse_quantity(text) == expected


def test_parse_quantity_rejects_text_without_a_number():
    with pytest.raises(ValueError):
        parse_quantity("显著提升")


def test_money_converts_exactly_between_units():
    assert convert(Decimal(1), "万亿元", "亿元") == Decimal(10000)
    assert convert(Decimal("3.5"), "万元", "亿元") == Decimal("0.00035")
    assert convert(Decimal("0.00035"), "亿元", "万元") == Decimal("3.5")


def test_count_classifiers_are_one_family_but_money_and_counts_are_not():
    assert convert(Decimal(3), "家", "个") == Decimal(3)
    with pytest.raises(UnitError):
        convert(Decimal(3), "家", "亿元")
    with pytest.raises(UnitError):
        convert(Decimal(3), "%", "亿元")


def test_normalize_text_removes_every_kind_of_whitespace():
    assert normalize_text("到 2025\n年，\u3000营收\xa0达 1200 亿元") == "到2025年，营收达1200亿元"
