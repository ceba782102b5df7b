"""Writes for reported figures: draft -> submitted -> approved, or returned -> resubmitted.

Every write goes through here, whichever way it came in (web form, API, spreadsheet). Each one
takes the figure's `lock_version` the caller saw, so two people editing the same figure cannot
silently overwrite each other: the second gets a ConflictError.
Approved versions are never changed; a correction is a new version with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from trackers import signals
from trackers.exceptions import ConflictError, FieldError, InvalidInput, WorkflowError
from trackers.models import Actual, ActualVersion, Department, Indicator, Region
from trackers.selectors import department_answers_for_figure, figure_context
from trackers.validation import figure_check, parse_decimal


@dataclass(frozen=True)
class FigureInput:
    indicator: Indicator
    region: Region
    year: int
    value: object  # as typed: str, Decimal, int or a spreadsheet float
    unit: str
    source: str
    correction_reason: str = ""


def figure_validate(figure: FigureInput):
    """Check a figure without storing it; returns the FigureCheck (errors and warnings)."""
    context = figure_context(figure.indicator, figure.region, figure.year)
    return figure_check(
        year=figure.year, value=figure.value, unit=figure.unit, source=figure.source, context=context
    )


@transaction.atomic
def actual_save_draft(
    *, user, department: Department, figure: FigureInput, expected_lock_version: int | None = None
) -> ActualVersion:
    """Create or edit the open version of a figure. After approval this starts a correction."""
    _require_submitter(user, department, figure)
    check = figure_validate(figure)
    if check.errors:
        raise InvalidInput(check.errors)
    actual = _lock_figure(figure, expected_lock_version)
    open_version = actual.versions.filter(status__in=_OPEN).first()
    if open_version is None:
        open_version = _new_version(actual, user, department, figure)
    elif open_version.status == ActualVersion.Status.SUBMITTED:
        raise WorkflowError(_("This figure is waiting for review and cannot be edited now."))
    _fill_version(open_version, department, figure, check)
    open_version.save()
    return open_version


@transaction.atomic
def actual_submit(*, user, version: ActualVersion, expected_lock_version: int) -> ActualVersion:
    version = _lock_version(version, expected_lock_version)
    _require_submitter(user, version.department, _figure_of(version))
    if version.status not in (ActualVersion.Status.DRAFT, ActualVersion.Status.RETURNED):
        raise WorkflowError(_("Only a draft or a returned figure can be submitted."))
    version.status = ActualVersion.Status.SUBMITTED
    version.submitted_by = user
    version.submitted_at = timezone.now()
    version.save()
    return version


def actual_submit_figure(*, user, department, figure: FigureInput, expected_lock_version=None) -> ActualVersion:
    """Save and submit in one step: what the API and the spreadsheet upload do."""
    with transaction.atomic():
        version = actual_save_draft(
            user=user, department=department, figure=figure, expected_lock_version=expected_lock_version
        )
        return actual_submit(user=user, version=version, expected_lock_version=version.actual.lock_version)


@transaction.atomic
def actual_approve(*, user, version: ActualVersion, expected_lock_version: int) -> ActualVersion:
    version = _lock_version(version, expected_lock_version)
    _require_reviewer(user, version)
    if version.status != ActualVersion.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted figure can be approved."))
    now = timezone.now()
    # The approved version this one corrects stays, marked superseded, with its approval intact.
    for previous in version.actual.versions.filter(status=ActualVersion.Status.APPROVED):
        previous.status = ActualVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])  # save(), not update(): the history records it
    version.status = ActualVersion.Status.APPROVED
    version.reviewed_by = user
    version.reviewed_at = now
    version.approved_at = now
    version.save()
    # Receivers run inside this transaction (the KPI outbox row commits with the approval).
    signals.figure_approved.send(sender=ActualVersion, version=version)
    return version


@transaction.atomic
def actual_return(*, user, version: ActualVersion, reason: str, expected_lock_version: int) -> ActualVersion:
    version = _lock_version(version, expected_lock_version)
    _require_reviewer(user, version)
    if version.status != ActualVersion.Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted figure can be returned."))
    if not (reason or "").strip():
        raise InvalidInput([FieldError("reason", "required", _("Say why the figure is returned."))])
    version.status = ActualVersion.Status.RETURNED
    version.return_reason = reason.strip()
    version.reviewed_by = user
    version.reviewed_at = timezone.now()
    version.save()
    return version


_OPEN = (ActualVersion.Status.DRAFT, ActualVersion.Status.SUBMITTED, ActualVersion.Status.RETURNED)


def _lock_figure(figure: FigureInput, expected: int | None) -> Actual:
    actual, _created = Actual.objects.get_or_create(
        indicator=figure.indicator, region=figure.region, year=figure.year
    )
    return _bump(actual, expected)


def _lock_version(version: ActualVersion, expected: int | None) -> ActualVersion:
    actual = _bump(version.actual, expected)
    version = ActualVersion.objects.select_for_update().select_related(
        "actual__indicator", "actual__region", "department"
    ).get(pk=version.pk)
    version.actual = actual
    return version


def _bump(actual: Actual, expected: int | None) -> Actual:
    """Compare-and-set on lock_version: the write happens only if nobody wrote in between."""
    if expected is None and not actual.versions.exists():
        expected = actual.lock_version  # a brand-new figure: nobody else can have read it
    updated = Actual.objects.filter(pk=actual.pk, lock_version=expected).update(lock_version=F("lock_version") + 1)
    if not updated:
        actual.refresh_from_db()
        raise ConflictError(
            _("This figure was changed by someone else (version %(current)s, you edited %(expected)s). "
              "Reload it and apply your change again.") % {"current": actual.lock_version, "expected": expected},
            actual.lock_version,
        )
    return Actual.objects.select_related("indicator", "region").get(pk=actual.pk)


def _new_version(actual: Actual, user, department, figure: FigureInput) -> ActualVersion:
    number = (actual.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if number > 1 and not figure.correction_reason.strip():
        raise InvalidInput(
            [FieldError("correction_reason", "required", _("An approved figure can only be corrected with a reason."))]
        )
    return ActualVersion(actual=actual, number=number, created_by=user, department=department)


def _fill_version(version: ActualVersion, department, figure: FigureInput, check) -> None:
    version.department = department
    version.value = parse_decimal(figure.value)
    version.unit = (figure.unit or "").strip() or figure.indicator.unit
    version.value_in_indicator_unit = check.value_in_indicator_unit
    version.source = figure.source.strip()
    if figure.correction_reason:
        version.correction_reason = figure.correction_reason.strip()
    version.flagged = bool(check.warnings)
    # Stored once, in the service's own language, so every reader of the audit trail sees the
    # same words whatever language the submitter used.
    with translation.override(settings.LANGUAGE_CODE):
        version.flag_reason = "; ".join(str(w.message) for w in check.warnings)
    if version.status == ActualVersion.Status.RETURNED:
        version.status = ActualVersion.Status.DRAFT


def _figure_of(version: ActualVersion) -> FigureInput:
    actual = version.actual
    return FigureInput(actual.indicator, actual.region, actual.year, version.value, version.unit, version.source)


def _require_submitter(user, department: Department, figure: FigureInput) -> None:
    if not user.has_perm("trackers.submit_figure", (figure.indicator, figure.region)):
        raise PermissionDenied(_("You may not submit this figure."))
    if not department.members.filter(pk=user.pk).exists():
        raise PermissionDenied(_("You do not belong to this department."))
    if not department_answers_for_figure(department, figure.indicator, figure.region):
        raise PermissionDenied(_("This department does not answer for this figure."))


def _require_reviewer(user, version: ActualVersion) -> None:
    if not user.has_perm("trackers.review_figure"):
        raise PermissionDenied(_("Only reviewers may approve or return figures."))
    if version.submitted_by_id == user.pk or version.created_by_id == user.pk:
        raise PermissionDenied(_("Nobody may review a figure they submitted."))
