"""How the data's names are shown: in English where the data has an English name and the page is
in English, else the Chinese name (which a page marks as such: reporting.templatetags.tracker).
A department is shown with its region, since "市科技局" alone does not say which city's.

One place for pages, messages and the page CSVs; reports keep the Chinese names they store."""
from __future__ import annotations

import re

from django.utils.translation import get_language

# Chinese script: ideographs, CJK punctuation, full-width forms. Data written in it is marked
# lang="zh-Hans" on the pages (reporting.templatetags.tracker |data, trackers.web.forms.DataSelect).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


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
