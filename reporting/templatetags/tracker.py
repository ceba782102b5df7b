"""Template filters that write numbers and latest values the one way (reporting.formatting,
reporting.wording)."""
from django import template

from reporting import formatting, wording

register = template.Library()

register.filter("plain", formatting.plain)
register.filter("amount", formatting.amount)
register.filter("percent", formatting.percent)


@register.simple_tag
def latest_value(snapshot, target) -> str:
    """'累计 3 家（2021–2023 新增合计）' or '1,234 亿元（2023）', from the snapshot."""
    if snapshot is None or snapshot.latest_year is None:
        return formatting.MISSING
    return wording.latest_value_text(formatting.amount(snapshot.latest_value), target.indicator.unit, target.basis,
                                     target.plan.start_year, snapshot.latest_year)
