"""Writes for places and their offices that a new plan brings: a region the tree does not know
yet (another province and its cities), and the departments a plan's brackets name."""
from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from trackers.exceptions import FieldError, InvalidInput
from trackers.models import Department, Origin, Region, RegionLevel

# Which level may sit under which: a city under a province, a district under a city or (in the
# four municipalities, which are provinces) directly under a province.
PARENT_LEVELS = {
    RegionLevel.PROVINCE: (),
    RegionLevel.CITY: (RegionLevel.PROVINCE,),
    RegionLevel.DISTRICT: (RegionLevel.CITY, RegionLevel.PROVINCE),
}


def short_hash(*parts: str, length: int = 10) -> str:
    """A stable code fragment for names written in Chinese (codes are ASCII slugs)."""
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:length]


@transaction.atomic
def region_create(*, user, name: str, level: str, parent: Region | None = None, name_en: str = "") -> Region:
    """Add a place to the region tree (origin "intake")."""
    if not user.has_perm("trackers.read_plans"):
        raise PermissionDenied(_("Only reviewers and administrators may add regions."))
    name, name_en = (name or "").strip(), (name_en or "").strip()
    errors = []
    if not name:
        errors.append(FieldError("name", "required", _("Enter the region's name.")))
    elif len(name) > 64:
        errors.append(FieldError("name", "too_long", _("A region's name has at most 64 characters.")))
    elif Region.objects.filter(name=name).exists():
        errors.append(FieldError("name", "duplicate", _("A region of this name exists already.")))
    if level not in PARENT_LEVELS:
        errors.append(FieldError("level", "invalid", _("Choose province, city or district.")))
    elif parent is None and PARENT_LEVELS[level]:
        errors.append(FieldError("parent", "required", _("A city or district needs the region it belongs to.")))
    elif parent is not None and parent.level not in PARENT_LEVELS[level]:
        errors.append(FieldError("parent", "invalid", _("A %(level)s cannot belong to a %(parent)s.") % {
            "level": RegionLevel(level).label, "parent": RegionLevel(parent.level).label}))
    if errors:
        raise InvalidInput(errors)
    return Region.objects.create(code=_region_code(name, name_en), name=name, name_en=name_en, level=level,
                                 parent=parent, origin=Origin.INTAKE)


def _region_code(name: str, name_en: str) -> str:
    code = slugify(name_en)[:64]
    if code and not Region.objects.filter(code=code).exists():
        return code
    return f"region-{short_hash(name)}"


def departments_for_names(region: Region, names: list[str]) -> list[Department]:
    """The region's departments of these names (as a plan's bracket writes them), in order;
    those the region lacks are created and marked as created by intake."""
    names = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    known = {d.name: d for d in Department.objects.filter(region=region, name__in=names)}
    for name in names:
        if name not in known:
            known[name] = Department.objects.create(
                code=f"{region.code[:40]}-{short_hash(region.code, name)}", name=name[:128], full_name=name[:255],
                region=region, origin=Origin.INTAKE,
            )
    return [known[name] for name in names]
