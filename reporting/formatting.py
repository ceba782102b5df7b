"""How numbers are written on pages, in charts and in reports: one way everywhere.
Pure Python (no Django): missing values are a dash, never "nan" or "None"."""
from __future__ import annotations

from decimal import Decimal

from kpis.core.missing import is_missing

MISSING = "—"
__all__ = ["MISSING", "amount", "is_missing", "percent", "plain"]


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
