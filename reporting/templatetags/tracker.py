"""Template filters that write numbers, latest values and the data's names the one way
(reporting.formatting, reporting.wording, trackers.names)."""
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reporting import formatting, wording
from trackers import names

register = template.Library()

register.filter("plain", formatting.plain)
register.filter("amount", formatting.amount)
register.filter("percent", formatting.percent)


register.filter("data", names.marked_data)  # {{ plan.title|data }}: stored data, marked where Chinese
register.filter("quoting", names.marked_quotes)  # {{ reason|quoting }}: English quoting Chinese words


@register.filter
def lang_of(value):
    """<option{{ plan|lang_of }}>: ' lang="zh-Hans"' for a name in Chinese, where no element can wrap it."""
    return mark_safe(' lang="zh-Hans"') if names.is_chinese(value) else ""


def _unit_marked(text: str, unit: str):
    """'1,234.5 亿元': a quantity in a Chinese unit is data as a whole (kept in one piece, so that
    it still reads and searches as '1,234.5 亿元')."""
    return names.marked_data(text) if names.is_chinese(unit) else text


@register.filter
def quantity(value, unit=""):
    """{{ value|quantity:unit }}: '1,234.5 亿元'; missing -> '—'."""
    return _unit_marked(formatting.quantity(value, unit or ""), unit or "")


@register.filter
def in_unit(value, unit=""):
    """{{ row.value|in_unit:version.unit }}: a number already written for the page, with its unit,
    marked as data as |quantity marks it (for values the views format themselves)."""
    text = f"{value} {unit}".strip() if unit else str(value)
    return _unit_marked(text, unit or "")


@register.filter
def count(value):
    """A whole number with thousands separators: '12,345'; missing -> '—'."""
    return formatting.amount(value, 0)


@register.filter
def gap(value, unit=""):
    """{{ gap|gap:unit }}: '395 亿元' to go, '超出 395 亿元' once exceeded, '—' for none."""
    unit = unit or ""
    words, (_kind, text) = wording.gap_text(value, unit), formatting.gap_parts(value, unit)
    if words.endswith(text):  # 'exceeded by 395 亿元': the words are the interface's, the quantity data
        return format_html("{}{}", words[: -len(text)], _unit_marked(text, unit))
    return _unit_marked(words, unit)


_marked = names.marked_fallback


@register.filter
def fallback(text, is_fallback):
    """{{ row.indicator|fallback:row.indicator_fallback }} for names picked into a table's rows."""
    return _marked(text if text is not None else formatting.MISSING, bool(is_fallback))


@register.filter
def zh(text):
    """{{ plan.title|zh }}: data that exists in Chinese only (plan titles), marked as such on an
    English page."""
    return _marked(text if text is not None else formatting.MISSING, names.in_english())


@register.filter
def name(obj):
    """{{ region|name }}, {{ indicator|name }}, {{ department|name }} (with its region), {{ plan|name }}."""
    if obj is None or obj == "":
        return formatting.MISSING
    return names.marked_name(obj)


@register.filter
def unit(value):
    """{{ indicator.unit|unit }}: the unit in the page's language (trackers.names.unit_pick); one with
    no English name yet stays as written, marked as the Chinese fallback."""
    return _marked(*names.unit_pick(value or ""))


@register.filter
def name_with_unit(indicator):
    """<option>{{ indicator|name_with_unit }}</option>: 'Health industry revenue (100 million yuan)', plain
    text (pair it with |lang_of where it may fall back to Chinese)."""
    return names.label_with_unit(names.indicator_name(indicator), indicator.unit)


@register.simple_tag
def latest_value(snapshot, target) -> str:
    """'累计 3 家（2021–2023 新增合计）' or '1,234 亿元（2023）', from the snapshot."""
    if snapshot is None or snapshot.latest_year is None:
        return formatting.MISSING
    return wording.latest_value_text(formatting.amount(snapshot.latest_value), target.indicator.unit, target.basis,
                                     target.plan.start_year, snapshot.latest_year)
