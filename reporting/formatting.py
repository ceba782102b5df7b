"""How numbers are written on pages, in charts and in reports: one way everywhere.
Pure Python (no Django): missing values are a dash, never "nan" or "None"."""
from __future__ import annotations

from decimal import Decimal

from kpis.core.missing import is_missing
from trackers.quantities import PERCENT_UNITS

MISSING = "—"
__all__ = ["MISSING", "amount", "gap_parts", "is_missing", "percent", "plain", "quantity", "with_unit"]


def plain(value) -> str:
    """The exact stored number for machine-readable attributes: 12.500000 -> '12.5'; missing -> ''."""
    if is_missing(value):
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def amount(value, places: int = 2) -> str:
    """A quantity for people: thousands separators, at most `places` decimals, no trailing zeros."""
    if is_missing(value):
        return MISSING
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places)) if places else Decimal(str(value))
    text = f"{number:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(fraction, places: int = 1) -> str:
    """A share given as a fraction (0.123) written as a percentage ('12.3%')."""
    if is_missing(fraction):
        return MISSING
    return f"{amount(Decimal(str(fraction)) * 100, places)}%"


def quantity(value, unit: str = "", places: int = 2) -> str:
    """A quantity with its unit: '1,234.5 亿元', '12.5%' (a percent sign hugs its number); missing -> '—'."""
    if is_missing(value):
        return MISSING
    return with_unit(amount(value, places), unit)


def with_unit(text: str, unit: str = "") -> str:
    """A number already written, with its unit: a percent sign hugs it ('12.5%'), a word stands apart
    ('1,234.5 亿元', '3 家')."""
    if not unit:
        return text
    return f"{text}{unit}" if unit in PERCENT_UNITS else f"{text} {unit}"


def gap_parts(gap, unit: str = "", places: int = 2) -> tuple[str, str]:
    """A gap (target minus latest, in the target's direction) as (kind, quantity): ("short", "395 亿元")
    while the target is still ahead, ("exceeded", "395 亿元") once it is passed (a negative gap is
    never shown as a negative number), ("met", "0 亿元") on the mark, ("missing", "—")."""
    if is_missing(gap):
        return "missing", MISSING
    number = Decimal(str(gap))
    kind = "exceeded" if number < 0 else "met" if number == 0 else "short"
    return kind, quantity(abs(number), unit, places)
