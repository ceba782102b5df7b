"""Checks on a reported figure, shared by the web form, the API and the spreadsheet upload.

`figure_check` is pure: the caller gathers the context (selectors.figure_context) and gets back
errors, which refuse the figure, and warnings, which store it flagged for the reviewer.
Messages are lazy translations, so they come out in the language of the request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .exceptions import FieldError
from .quantities import UnitError, convert


@dataclass(frozen=True)
class FigureContext:
    indicator_unit: str
    indicator_kind: str
    allows_negative: bool
    allowed_years: tuple[int, int] | None  # the plans' periods that target this figure
    previous_value: Decimal | None  # last year's approved value, in the indicator's unit
    jump_ratio: Decimal  # a change beyond this factor either way is flagged


@dataclass
class FigureCheck:
    value_in_indicator_unit: Decimal | None = None
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)


def parse_decimal(raw) -> Decimal | None:
    """Read a number as typed by a person or a spreadsheet cell; None when it is not one."""
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))  # the shortest form that round-trips, not the binary expansion
    text = str(raw or "").strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def figure_check(*, year, value, unit, source, context: FigureContext) -> FigureCheck:
    result = FigureCheck()
    result.errors += _check_year(year, context)
    amount = parse_decimal(value)
    if amount is None:
        result.errors.append(FieldError("value", "not_a_number", _("Enter a number, such as 1200 or 3.5.")))
    if not str(source or "").strip():
        result.errors.append(
            FieldError("source", "required", _("Name the source of the figure or attach an evidence note."))
        )
    converted = _convert_unit(amount, unit, context, result)
    if converted is not None:
        result.errors += _check_range(converted, context)
        result.value_in_indicator_unit = converted
        if not result.errors:
            result.warnings += _check_plausibility(converted, context)
    return result


def _check_year(year, context: FigureContext) -> list[FieldError]:
    if not isinstance(year, int):
        return [FieldError("year", "not_a_year", _("Enter the year as four digits, such as 2023."))]
    if context.allowed_years is None:
        return [FieldError("year", "not_targeted", _("No plan sets a target for this figure."))]
    first, last = context.allowed_years
    if not first <= year <= last:
        return [
            FieldError(
                "year", "outside_plan_period",
                _("The year must lie inside the plan's period, %(first)s to %(last)s.")
                % {"first": first, "last": last},
            )
        ]
    return []


def _convert_unit(amount, unit, context: FigureContext, result: FigureCheck) -> Decimal | None:
    unit = (unit or "").strip() or context.indicator_unit
    try:
        converted = convert(amount if amount is not None else Decimal(0), unit, context.indicator_unit)
    except UnitError:
        result.errors.append(
            FieldError(
                "unit", "unit_mismatch",
                _("The unit %(unit)s cannot be converted exactly to the indicator's unit %(expected)s.")
                % {"unit": unit, "expected": context.indicator_unit},
            )
        )
        return None
    return converted if amount is not None else None


def _check_range(value: Decimal, context: FigureContext) -> list[FieldError]:
    if value < 0 and not context.allows_negative:
        return [FieldError("value", "negative", _("This indicator cannot be negative."))]
    if context.indicator_kind == "share" and not Decimal(0) <= value <= Decimal(100):
        return [FieldError("value", "share_out_of_range", _("A share must lie between 0 and 100 (%)."))]
    return []


def _check_plausibility(value: Decimal, context: FigureContext) -> list[FieldError]:
    previous = context.previous_value
    if previous is None or previous == 0:
        return []
    ratio = abs(value / previous)
    if ratio > context.jump_ratio or (value != 0 and ratio < 1 / context.jump_ratio) or (value < 0) != (previous < 0):
        return [
            FieldError(
                "value", "implausible_jump",
                _("The figure differs sharply from last year's approved %(previous)s; a reviewer will check it.")
                % {"previous": format(previous.normalize(), "f")},
            )
        ]
    return []
