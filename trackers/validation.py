"""Checks on a reported figure, shared by the web form, the API and the spreadsheet upload.

`figure_check` is pure: the caller gathers the context (selectors.figure_context) and gets back
errors, which refuse the figure, and warnings, which store it flagged for the reviewer.
Messages are lazy translations, so they come out in the language of the request.

The bounds of what can be stored come from the model fields themselves (a DecimalField's digits,
a text field's max_length), so there is one number for each, and YEARS is the one sane range of
years that every input of a year (forms, serializers, query parameters) is held to.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext_lazy as _

from .cleantext import model_text_errors
from .exceptions import FieldError
from .models import ActualVersion
from .quantities import UnitError, convert

# No plan, baseline or figure lies outside these years; anything else is a typing error.
YEARS = (1900, 2100)


@dataclass(frozen=True)
class FigureContext:
    indicator_unit: str
    indicator_kind: str
    allows_negative: bool
    allowed_years: tuple[int, int] | None  # the plans' periods that target this figure
    previous_value: Decimal | None  # last year's approved value, in the indicator's unit
    jump_ratio: Decimal  # a change beyond this factor either way is flagged
    # Plausibility (DHIS2's min/max and outlier checks): what is outside is flagged, not refused.
    whole_numbers: bool = False  # the indicator counts things one by one (家, 个, 项 …)
    minimum: Decimal | None = None  # the indicator's plausible range, in its unit
    maximum: Decimal | None = None
    target_magnitude: Decimal | None = None  # the largest target for the figure, in the indicator's unit
    target_ratio: Decimal | None = None  # a figure beyond this many times that is flagged


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


def is_sane_year(year) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and YEARS[0] <= year <= YEARS[1]


def integer_bounds(field) -> tuple[int, int]:
    """The values an integer model field holds on every supported database."""
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


def amount_errors(value: Decimal, field, name: str) -> list[FieldError]:
    """Whether `value` fits the DecimalField `field` exactly: no overflow, no silent rounding."""
    if not _fits(value, field):
        return [FieldError(name, "too_large", _("The number is too large: at most %(digits)s digits before the "
                                                "decimal point.") % {"digits": _whole_digits(field)})]
    if value.normalize().as_tuple().exponent < -field.decimal_places:
        return [FieldError(name, "too_precise", _("At most %(places)s digits after the decimal point.")
                           % {"places": field.decimal_places})]
    return []


def _whole_digits(field) -> int:
    return field.max_digits - field.decimal_places


def _fits(value: Decimal, field) -> bool:
    limit = Decimal(10) ** _whole_digits(field)
    # copy_abs: no context, so no Overflow. SQLite (the embedded default) keeps decimals as floats:
    # a value that rounds up to the limit as a float would be stored but could not be read back.
    return value.copy_abs() < limit and float(value.copy_abs()) < float(limit)


_VALUE = ActualVersion._meta.get_field("value")
_VALUE_IN_INDICATOR_UNIT = ActualVersion._meta.get_field("value_in_indicator_unit")


def figure_check(*, year, value, unit, source, context: FigureContext, correction_reason="") -> FigureCheck:
    result = FigureCheck()
    result.errors += _check_year(year, context)
    amount = parse_decimal(value)
    amount_problems = _check_amount(amount)
    result.errors += amount_problems
    unit_problems = model_text_errors(unit or "", ActualVersion, "unit")
    result.errors += unit_problems
    result.errors += model_text_errors(source or "", ActualVersion, "source")
    result.errors += model_text_errors(correction_reason or "", ActualVersion, "correction_reason")
    if not str(source or "").strip():
        result.errors.append(
            FieldError("source", "required", _("Name the source of the figure or attach an evidence note."))
        )
    if unit_problems:
        return result
    converted = _convert_unit(None if amount_problems else amount, unit, context, result)
    if converted is not None:
        result.errors += _check_stored_amount(converted, context)
        result.errors += _check_range(converted, context)
        result.value_in_indicator_unit = converted
        if not result.errors:
            result.warnings += _check_plausibility(converted, context)
    return result


def _check_amount(amount: Decimal | None) -> list[FieldError]:
    if amount is None:
        return [FieldError("value", "not_a_number", _("Enter a number, such as 1200 or 3.5."))]
    return amount_errors(amount, _VALUE, "value")


def _check_stored_amount(converted: Decimal, context: FigureContext) -> list[FieldError]:
    """The value fits as typed, but in the indicator's unit (亿元 -> 元) it may not."""
    if _fits(converted, _VALUE_IN_INDICATOR_UNIT):
        return []
    return [FieldError("value", "too_large_in_indicator_unit", _(
        "In the indicator's unit %(unit)s this number is too large to store.") % {"unit": context.indicator_unit})]


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
    """Everything that makes a figure doubtful without making it wrong: the reviewer is told."""
    return [
        *_check_whole(value, context), *_check_bounds(value, context), *_check_target_magnitude(value, context),
        *_check_jump(value, context),
    ]


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _check_whole(value: Decimal, context: FigureContext) -> list[FieldError]:
    if not context.whole_numbers or value == value.to_integral_value():
        return []
    return [FieldError("value", "not_whole", _(
        "%(unit)s counts whole things, but the figure has decimals; a reviewer will check it.")
        % {"unit": context.indicator_unit})]


def _check_bounds(value: Decimal, context: FigureContext) -> list[FieldError]:
    if context.minimum is not None and value < context.minimum:
        return [FieldError("value", "below_minimum", _(
            "The figure is below this indicator's plausible minimum %(minimum)s %(unit)s; a reviewer will check it.")
            % {"minimum": _plain(context.minimum), "unit": context.indicator_unit})]
    if context.maximum is not None and value > context.maximum:
        return [FieldError("value", "above_maximum", _(
            "The figure is above this indicator's plausible maximum %(maximum)s %(unit)s; a reviewer will check it.")
            % {"maximum": _plain(context.maximum), "unit": context.indicator_unit})]
    return []


def _check_target_magnitude(value: Decimal, context: FigureContext) -> list[FieldError]:
    magnitude, ratio = context.target_magnitude, context.target_ratio
    if not magnitude or ratio is None or abs(value) <= ratio * abs(magnitude):
        return []
    return [FieldError("value", "beyond_target", _(
        "The figure is more than %(ratio)s times the target %(target)s %(unit)s; a reviewer will check it.")
        % {"ratio": _plain(ratio), "target": _plain(magnitude), "unit": context.indicator_unit})]


def _check_jump(value: Decimal, context: FigureContext) -> list[FieldError]:
    previous = context.previous_value
    if previous is None or previous == 0:
        return []
    ratio = abs(value / previous)
    if ratio > context.jump_ratio or (value != 0 and ratio < 1 / context.jump_ratio) or (value < 0) != (previous < 0):
        return [
            FieldError(
                "value", "implausible_jump",
                _("The figure differs sharply from last year's approved %(previous)s; a reviewer will check it.")
                % {"previous": _plain(previous)},
            )
        ]
    return []
