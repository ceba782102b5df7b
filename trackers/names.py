"""How the data's names are shown: in English where the data has an English name and the page is
in English, else the Chinese name (which a page marks as such: reporting.templatetags.tracker).
A department is shown with its region, since "市科技局" alone does not say which city's.

One place for pages, messages and the page CSVs; reports keep the Chinese names they store. The
marked_* functions write the HTML that marks Chinese data (lang="zh-Hans"), for the template filters
(reporting.templatetags.tracker), the admin and form help texts alike."""
from __future__ import annotations

import re

from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from trackers.quantities import unit_name_en

# Chinese script: ideographs, CJK punctuation, full-width forms. Data written in it is marked
# lang="zh-Hans" on the pages (reporting.templatetags.tracker |data, trackers.web.forms.DataSelect).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# A run of Chinese words quoted in other text, with the Chinese punctuation between them.
CHINESE_RUN = re.compile(CHINESE.pattern + "+")


def is_chinese(text) -> bool:
    return bool(text) and bool(CHINESE.search(str(text)))


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def pick(name: str, name_en: str | None) -> tuple[str, bool]:
    """(the name to show, whether it is the Chinese name standing in for a missing English one)."""
    if not in_english():
        return name or "", False
    if name_en:
        return name_en, False
    return name or "", bool(name)


def region_name(region) -> str:
    return pick(region.name, region.name_en)[0] if region is not None else ""


def indicator_name(indicator) -> str:
    return pick(indicator.name, indicator.name_en)[0]


def unit_pick(unit: str) -> tuple[str, bool]:
    """pick for a unit: '100 million yuan' for 亿元 on an English page (trackers.quantities.UNIT_NAMES_EN),
    the unit as written where it has no English name there (a visible fallback); a unit written
    without Chinese ('billion RMB') reads as written."""
    unit = unit or ""
    if not in_english() or not is_chinese(unit):
        return unit, False
    return pick(unit, unit_name_en(unit))


def unit_name(unit: str) -> str:
    return unit_pick(unit)[0]


def label_with_unit(label: str, unit: str) -> str:
    """'营业收入（亿元）' / 'Revenue (100 million yuan)': a label with its unit, for axis titles and
    options; the unit in the page's language."""
    shown = unit_name(unit)
    if not shown:
        return label
    return f"{label}（{shown}）" if not in_english() else f"{label} ({shown})"


def department_label(name: str, region_name_zh: str = "", region_name_en: str = "") -> str:
    """'江门市 市科技局' / 'Jiangmen · 市科技局': the department with its region, unless its own name
    already says the region (江门市大健康产业集群推进领导小组)."""
    if not region_name_zh or name.startswith(region_name_zh):
        return name
    if in_english():
        return f"{region_name_en or region_name_zh} · {name}"
    return f"{region_name_zh} {name}"


def department_name(department) -> str:
    """department_label of a Department (select_related its region where there are many)."""
    region = department.region
    return department_label(department.name, region.name, region.name_en)


def name_of(obj) -> str:
    """The shown name of a region, department, indicator or plan (plans have Chinese titles only)."""
    model = obj._meta.model_name
    if model == "department":
        return department_name(obj)
    if model == "plan":
        return str(obj)
    return pick(obj.name, getattr(obj, "name_en", ""))[0]


# HTML: Chinese data marked lang="zh-Hans", so that a screen reader reads it as Chinese on the
# English site and tests/e2e tell it from untranslated interface text.

def marked_data(value):
    """Data shown as stored (titles, clauses, a target's wording, units, sources, reasons), marked
    where it is Chinese."""
    if value is None:
        return value
    if is_chinese(value):
        return format_html('<span lang="zh-Hans">{}</span>', value)
    return value


def marked_quotes(value):
    """English text that quotes Chinese words ('an aspiration (力争, 争取)'): each run of Chinese in
    it marked, the rest left as the interface's (escaped)."""
    if value is None:
        return value
    text = str(value)
    parts, last = [], 0
    for run in CHINESE_RUN.finditer(text):
        parts += [conditional_escape(text[last:run.start()]), format_html('<span lang="zh-Hans">{}</span>', run.group())]
        last = run.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))


# For a form's help text, written when the form is shown (in the page's language).
marked_quotes_lazy = lazy(marked_quotes, str)


def marked_fallback(text, fallback: bool):
    """The Chinese name standing in for a missing English one is marked (lang, a dotted underline
    with a tooltip), so readers and screen readers know it is not a translation."""
    if not fallback:
        return text
    return format_html('<span lang="zh-Hans" class="zh-fallback" title="{}">{}</span>',
                       gettext("No English name in the data yet"), text)


def marked_name(obj):
    """The shown name of a region, indicator, department (with its region) or plan, the Chinese
    part marked on an English page."""
    model = obj._meta.model_name
    if model == "department":
        label = department_name(obj)
        if in_english() and label != obj.name:  # 'Jiangmen · 市科技局': only the Chinese part marked
            return format_html("{}{}", label[: -len(obj.name)], marked_fallback(obj.name, True))
        return marked_fallback(label, in_english())
    if model == "plan":
        return marked_fallback(str(obj), in_english())
    return marked_fallback(*pick(obj.name, getattr(obj, "name_en", "")))
