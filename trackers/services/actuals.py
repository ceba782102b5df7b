"""Writes for reported figures: draft -> submitted -> approved, or returned -> resubmitted.

Every write goes through here, whichever way it came in (web form, API, spreadsheet). Each one
takes the figure's `lock_version` the caller saw, so two people editing the same figure cannot
silently overwrite each other: the second gets a ConflictError.
Approved versions are never changed; a correction is a new version with a reason.

Saving figures is one implementation for one figure and for ten thousand: `_figures_save` reads
what the rules need for the whole batch in a few queries (locking the figures' rows), judges every
figure with the same rule functions, and stores them all, with their history rows, in a few bulk
writes, or none of them. The single-figure services are that batch with one figure in it.
"""
from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from config.bulk import rows_update
from trackers import signals
from trackers.cleantext import model_text_errors
from trackers.exceptions import ConflictError, DomainError, FieldError, InvalidInput, WorkflowError
from trackers.models import Actual, ActualVersion, Department, Indicator, NotificationLog, Region
from trackers.rules import figures_prefetched
from trackers.selectors import figure_contexts, figures_answered_by_departments
from trackers.services.notifications import (
    notification_approvals_enqueue,
    notification_figure_enqueue,
    notifications_held,
)
from trackers.validation import FigureCheck, figure_check, is_sane_year, parse_decimal

Status = ActualVersion.Status
_OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)
# What saving an open version changes, besides what submitting it changes.
_FILLED = ["department", "value", "unit", "value_in_indicator_unit", "source", "correction_reason", "flagged",
           "flag_reason", "status", "origin"]
_SUBMITTED = ["submitted_by", "submitted_at"]  # and status


@dataclass(frozen=True)
class FigureInput:
    indicator: Indicator
    region: Region
    year: int
    value: object  # as typed: str, Decimal, int or a spreadsheet float
    unit: str
    source: str
    correction_reason: str = ""
    origin: str = "submitted"  # kpis.core.vocabulary.FIGURE_ORIGINS: published and demo figures say so

    @property
    def key(self) -> tuple:
        return (self.indicator.pk, self.region.pk, self.year)


@dataclass(frozen=True)
class FigureWrite:
    """One figure to save for a department, from the lock version its writer saw (None for a
    figure nobody has reported yet). `department` is None when the caller could not name one."""

    department: Department | None
    figure: FigureInput
    expected_lock_version: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why one figure of a batch is refused: the error the single-figure services raise for it,
    and the input it is about (department, indicator, lock_version or value; an InvalidInput
    names its own fields)."""

    error: Exception
    field: str


class FiguresRefused(DomainError):
    """Figures of a batch were refused and nothing was stored. `refusals` maps the position of
    each refused figure to its refusals, in the order the single-figure services check them."""

    def __init__(self, refusals: dict[int, list[Refusal]]):
        super().__init__(f"{len(refusals)} figure(s) refused")
        self.refusals = refusals


def figure_validate(figure: FigureInput) -> FigureCheck:
    """Check a figure without storing it; returns the FigureCheck (errors and warnings)."""
    context = figure_contexts([(figure.indicator, figure.region, figure.year)])[figure.key]
    return _check(figure, context)


def figures_submit(*, user, writes: Sequence[FigureWrite]) -> list[ActualVersion]:
    """Save and submit many figures for review, all or nothing: each is judged by the rules of
    actual_submit_figure; if any is refused, FiguresRefused names every refusal and nothing is
    stored. A bounded number of queries whatever the number of figures."""
    return _figures_save(user, list(writes), submit=True)


def figures_refusals(*, user, writes: Sequence[FigureWrite]) -> dict[int, list[Refusal]]:
    """Judge figures as figures_submit would, storing nothing: the refusals by position."""
    writes = list(writes)
    if not writes:
        return {}
    with transaction.atomic():
        known = _Known(user, writes)
        return _refusals(user, writes, [_check(w.figure, known.context(w.figure)) for w in writes], known)


def actual_save_draft(
    *, user, department: Department, figure: FigureInput, expected_lock_version: int | None = None
) -> ActualVersion:
    """Create or edit the open version of a figure. After approval this starts a correction."""
    return _save_one(user, FigureWrite(department, figure, expected_lock_version), submit=False)


def actual_submit_figure(*, user, department, figure: FigureInput, expected_lock_version=None) -> ActualVersion:
    """Save and submit in one step: what the web form and the API do."""
    return _save_one(user, FigureWrite(department, figure, expected_lock_version), submit=True)


@transaction.atomic
def actual_submit(*, user, version: ActualVersion, expected_lock_version: int) -> ActualVersion:
    version = _lock_version(version, expected_lock_version)
    figure = _figure_of(version)
    write = FigureWrite(version.department, figure)
    denied = _permission_refusal(user, write, _Known(user, [write], state=False))
    if denied:
        raise denied.error
    if version.status not in (Status.DRAFT, Status.RETURNED):
        raise WorkflowError(_("Only a draft or a returned figure can be submitted."))
    version.status = Status.SUBMITTED
    version.submitted_by = user
    version.submitted_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def actual_approve(*, user, version: ActualVersion, expected_lock_version: int) -> ActualVersion:
    _require_reviewer(user, version)  # a refusal comes before any lock, and says nothing about the figure
    version = _lock_version(version, expected_lock_version)
    _require_reviewer(user, version)
    if version.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted figure can be approved."))
    now = timezone.now()
    # The approved version this one corrects stays, marked superseded, with its approval intact.
    for previous in version.actual.versions.filter(status=Status.APPROVED):
        previous.status = Status.SUPERSEDED
        previous.save(update_fields=["status"])  # save(), not update(): the history records it
    version.status = Status.APPROVED
    version.reviewed_by = user
    version.reviewed_at = now
    version.approved_at = now
    version.save()
    # Receivers run inside this transaction (the KPI outbox row commits with the approval).
    signals.figure_approved.send(sender=ActualVersion, version=version)
    notification_figure_enqueue(version, NotificationLog.Kind.APPROVAL)  # sent after commit; never fails this
    return version


class BulkApprovalRefused(DomainError):
    """One figure of a bulk approval was refused, so none was approved. `version` is the figure
    (None: it does not exist), `error` why (as actual_approve raised it)."""

    def __init__(self, version: ActualVersion | None, error: Exception):
        super().__init__(str(error))
        self.version, self.error = version, error


@transaction.atomic
def actuals_approve_unflagged(*, user, approvals: Sequence[tuple[int, int]]) -> list[ActualVersion]:
    """Approve many submitted figures at once, each from the lock version the reviewer saw, all or
    nothing: each goes through actual_approve (four eyes, state, lock), and a flagged figure is
    refused here, since its flags want a look of their own. The first refusal undoes the rest.
    Each submitter gets one mail listing their figures approved here, not one per figure."""
    if not user.has_perm("trackers.approve_in_bulk"):
        raise PermissionDenied(_("Only reviewers may approve or return figures."))
    wanted = dict(approvals)  # one approval per figure version
    versions = ActualVersion.objects.select_related("actual__indicator", "actual__region").in_bulk(list(wanted))
    approved = []
    with notifications_held():  # no mail per figure: one per submitter, below
        for pk, lock in wanted.items():
            version = versions.get(pk)
            try:
                if version is None:
                    raise WorkflowError(_("This figure no longer exists."))
                _require_unflagged(version)
                done = actual_approve(user=user, version=version, expected_lock_version=lock)
                _require_unflagged(done)  # as read under the lock
            except (DomainError, PermissionDenied) as refused:
                raise BulkApprovalRefused(version, refused) from refused
            approved.append(done)
    notification_approvals_enqueue(approved)  # sent after commit; never fails this
    return approved


def _require_unflagged(version: ActualVersion) -> None:
    if version.flagged:
        raise WorkflowError(_("A flagged figure is approved on its own, after a look at its flags."))


@transaction.atomic
def actual_return(*, user, version: ActualVersion, reason: str, expected_lock_version: int) -> ActualVersion:
    _require_reviewer(user, version)  # a refusal comes before any lock, and says nothing about the figure
    version = _lock_version(version, expected_lock_version)
    _require_reviewer(user, version)
    if version.status != Status.SUBMITTED:
        raise WorkflowError(_("Only a submitted figure can be returned."))
    if not (reason or "").strip():
        raise InvalidInput([FieldError("reason", "required", _("Say why the figure is returned."))])
    problems = model_text_errors(reason, ActualVersion, "return_reason", name="reason")
    if problems:
        raise InvalidInput(problems)
    version.status = Status.RETURNED
    version.return_reason = reason.strip()
    version.reviewed_by = user
    version.reviewed_at = timezone.now()
    version.save()
    notification_figure_enqueue(version, NotificationLog.Kind.RETURN)  # sent after commit; never fails this
    return version


# Saving figures, one or many

def _save_one(user, write: FigureWrite, *, submit: bool) -> ActualVersion:
    try:
        (version,) = _figures_save(user, [write], submit=submit)
    except FiguresRefused as refused:
        raise refused.refusals[0][0].error from None
    return version


def _figures_save(user, writes: list[FigureWrite], *, submit: bool) -> list[ActualVersion]:
    if not writes:
        return []
    with transaction.atomic():
        known = _Known(user, writes)
        checks = [_check(w.figure, known.context(w.figure)) for w in writes]
        refusals = _refusals(user, writes, checks, known)
        if refusals:
            raise FiguresRefused(refusals)  # leaves the atomic block: nothing stays stored
        return _store(user, writes, checks, known, submit=submit)


def _refusals(user, writes: list[FigureWrite], checks: list[FigureCheck], known: _Known) -> dict[int, list[Refusal]]:
    refusals, seen = {}, set()
    with figures_prefetched(user, known.indicator_ids, known.region_ids):
        for position, (write, check) in enumerate(zip(writes, checks)):
            found = _figure_refusals(user, write, check, known, seen)
            if found:
                refusals[position] = found
    return refusals


def _figure_refusals(user, write: FigureWrite, check: FigureCheck, known: _Known, seen: set) -> list[Refusal]:
    """Everything wrong with one figure, in the order the single-figure services raise it."""
    found = []
    denied = _permission_refusal(user, write, known)
    if denied:
        found.append(denied)
    if check.errors:
        found.append(Refusal(InvalidInput(check.errors), "value"))
    key = write.figure.key
    if _is_year(write.figure.year):
        if key in seen:
            found.append(Refusal(WorkflowError(_("The same figure is given twice.")), "indicator"))
        seen.add(key)
        actual = known.actual(key)
        found += _state_refusals(write, actual, known.versions(actual))
    return found


def _permission_refusal(user, write: FigureWrite, known: _Known) -> Refusal | None:
    figure, department = write.figure, write.department
    if not user.has_perm("trackers.submit_figure", (figure.indicator, figure.region)):
        return Refusal(PermissionDenied(_("You may not submit this figure.")), "indicator")
    if department is None or department.pk not in known.member_of:
        return Refusal(PermissionDenied(_("You do not belong to this department.")), "department")
    if (department.pk, figure.indicator.pk, figure.region.pk) not in known.department_answers:
        return Refusal(PermissionDenied(_("This department does not answer for this figure.")), "department")
    return None


def _state_refusals(write: FigureWrite, actual: Actual | None, versions: list[ActualVersion]) -> list[Refusal]:
    """The figure's state allows the write: nobody wrote since the writer read it (compare-and-set
    on lock_version), it is not waiting for review, and a correction says why."""
    found = []
    current, expected = (actual.lock_version if actual else 0), write.expected_lock_version
    if (versions or expected is not None) and expected != current:
        found.append(Refusal(_conflict(current, expected), "lock_version"))
    open_version = _open_version(versions)
    if open_version is None and versions and not write.figure.correction_reason.strip():
        found.append(Refusal(InvalidInput([FieldError(
            "correction_reason", "required", _("An approved figure can only be corrected with a reason."))]),
            "correction_reason"))
    elif open_version is not None and open_version.status == Status.SUBMITTED:
        found.append(Refusal(WorkflowError(_("This figure is waiting for review and cannot be edited now.")), "value"))
    return found


def _check(figure: FigureInput, context) -> FigureCheck:
    return figure_check(year=figure.year, value=figure.value, unit=figure.unit, source=figure.source, context=context,
                        correction_reason=figure.correction_reason)


class _Known:
    """What the rules need to judge a batch of figures, read in a few queries whatever its size.
    The figures already reported are locked (SELECT ... FOR UPDATE, in id order so that two
    batches never deadlock): what was judged is what gets written. state=False: only what the
    permission needs."""

    def __init__(self, user, writes: list[FigureWrite], *, state: bool = True):
        figures = [w.figure for w in writes]
        self.indicator_ids = {f.indicator.pk for f in figures}
        self.region_ids = {f.region.pk for f in figures}
        departments = {w.department.pk for w in writes if w.department is not None}
        self.member_of = set(user.departments.filter(pk__in=departments).values_list("pk", flat=True))
        self.department_answers = figures_answered_by_departments(departments, self.indicator_ids, self.region_ids)
        self._contexts = figure_contexts((f.indicator, f.region, f.year) for f in figures) if state else {}
        self._actuals: dict[tuple, Actual] = {}
        self._versions: dict[int, list[ActualVersion]] = defaultdict(list)
        if state:
            self._load_figures({f.key for f in figures if _is_year(f.year)})

    def context(self, figure: FigureInput):
        return self._contexts[figure.key]

    def actual(self, key) -> Actual | None:
        return self._actuals.get(key)

    def versions(self, actual: Actual | None) -> list[ActualVersion]:
        return self._versions[actual.pk] if actual else []

    def _load_figures(self, keys: set) -> None:
        actuals = _actuals_locked(keys)
        self._actuals.update(actuals)
        for version in ActualVersion.objects.filter(actual_id__in=[a.pk for a in actuals.values()]).order_by(
            "actual_id", "number"
        ):
            self._versions[version.actual_id].append(version)

    def create_missing(self, keys: set) -> list[tuple]:
        """Create the figures not reported yet (ignoring any a concurrent writer created
        meanwhile) and lock them; returns the keys that someone else has written to since."""
        missing = keys - set(self._actuals)
        if not missing:
            return []
        Actual.objects.bulk_create(
            [Actual(indicator_id=i, region_id=r, year=y) for i, r, y in sorted(missing)], ignore_conflicts=True
        )
        before = set(self._actuals)
        self._load_figures(missing)
        return [key for key in set(self._actuals) - before if self._versions[self._actuals[key].pk]]


def _actuals_locked(keys: set) -> dict[tuple, Actual]:
    if not keys:
        return {}
    candidates = Actual.objects.filter(
        indicator_id__in={k[0] for k in keys}, region_id__in={k[1] for k in keys}, year__in={k[2] for k in keys}
    ).order_by().values_list("pk", "indicator_id", "region_id", "year")
    ids = [pk for pk, *key in candidates if tuple(key) in keys]
    locked = Actual.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {(a.indicator_id, a.region_id, a.year): a for a in locked}


def _store(user, writes: list[FigureWrite], checks: list[FigureCheck], known: _Known, *, submit: bool):
    """Write the batch the rules let through: versions, their history rows as saving each one by
    one would record them, and the figures' lock versions, in a handful of bulk statements."""
    raced = known.create_missing({w.figure.key for w in writes})
    if raced:  # created and written by someone else since this batch was judged
        raise FiguresRefused({i: [Refusal(_conflict(known.actual(w.figure.key).lock_version, w.expected_lock_version),
                                          "lock_version")]
                              for i, w in enumerate(writes) if w.figure.key in raced})
    drafted_at = timezone.now()
    # Two saves one after the other record two moments; the history's order must not tie.
    submitted_at = max(timezone.now(), drafted_at + dt.timedelta(microseconds=1))
    versions, drafts = [], []
    with translation.override(settings.LANGUAGE_CODE):  # flag reasons are stored in one language
        for write, check in zip(writes, checks):
            actual = known.actual(write.figure.key)
            version = _open_version(known.versions(actual)) or _new_version(actual, user, known.versions(actual))
            _fill_version(version, write.department, write.figure, check)
            drafts.append((version.status, version.submitted_by_id, version.submitted_at))
            if submit:
                version.status, version.submitted_by, version.submitted_at = Status.SUBMITTED, user, submitted_at
            actual.indicator, actual.region = write.figure.indicator, write.figure.region
            version.actual = actual
            versions.append(version)
    created = [v for v in versions if v.pk is None]
    edited = [v for v in versions if v.pk is not None]
    ActualVersion.objects.bulk_create(created)
    rows_update(ActualVersion, edited, _FILLED + (_SUBMITTED if submit else []))
    _history_record(versions, drafts, created, drafted_at=drafted_at, submitted_at=submitted_at if submit else None)
    _lock_bump([v.actual for v in versions], 2 if submit else 1)
    return versions


def _history_record(versions, drafts, created, *, drafted_at, submitted_at) -> None:
    """The history rows that saving the draft, then submitting it, would have written."""
    new = {id(v) for v in created}
    saved = []
    for version, (status, submitted_by_id, submitted_on) in zip(versions, drafts):
        draft = copy.copy(version)
        draft.status, draft.submitted_by_id, draft.submitted_at = status, submitted_by_id, submitted_on
        saved.append((draft, id(version) in new))
    history = ActualVersion.history
    history.bulk_history_create([d for d, is_new in saved if is_new], default_date=drafted_at,
                                default_change_reason=None)
    history.bulk_history_create([d for d, is_new in saved if not is_new], update=True, default_date=drafted_at,
                                default_change_reason=None)
    if submitted_at is not None:
        history.bulk_history_create(versions, update=True, default_date=submitted_at, default_change_reason=None)


def _lock_bump(actuals: list[Actual], steps: int) -> None:
    """Each save raised lock_version by one; the rows are locked, so nobody wrote in between."""
    Actual.objects.filter(pk__in=[a.pk for a in actuals]).update(lock_version=F("lock_version") + steps)
    for actual in actuals:
        actual.lock_version += steps


def _open_version(versions: list[ActualVersion]) -> ActualVersion | None:
    return next((v for v in versions if v.status in _OPEN), None)


def _new_version(actual: Actual, user, versions: list[ActualVersion]) -> ActualVersion:
    number = max((v.number for v in versions), default=0) + 1
    return ActualVersion(actual=actual, number=number, created_by=user)


def _fill_version(version: ActualVersion, department, figure: FigureInput, check: FigureCheck) -> None:
    version.department = department
    version.value = parse_decimal(figure.value)
    version.unit = (figure.unit or "").strip() or figure.indicator.unit
    version.value_in_indicator_unit = check.value_in_indicator_unit
    version.source = figure.source.strip()
    version.origin = figure.origin
    if figure.correction_reason:
        version.correction_reason = figure.correction_reason.strip()
    version.flagged = bool(check.warnings)
    # Stored once, in the service's own language (the caller's override), so every reader of the
    # audit trail sees the same words whatever language the submitter used.
    version.flag_reason = "; ".join(str(w.message) for w in check.warnings)
    if version.status == Status.RETURNED:
        version.status = Status.DRAFT


def _is_year(year) -> bool:
    # An absurd year is refused by the checks and never looked up (it may not fit the column).
    return is_sane_year(year)


# One version at a time: submitting a saved draft, reviewing

def _lock_version(version: ActualVersion, expected: int | None) -> ActualVersion:
    actual = _bump(version.actual, expected)
    version = ActualVersion.objects.select_for_update().select_related(
        "actual__indicator", "actual__region", "department"
    ).get(pk=version.pk)
    version.actual = actual
    return version


def _bump(actual: Actual, expected: int | None) -> Actual:
    """Compare-and-set on lock_version: the write happens only if nobody wrote in between."""
    updated = Actual.objects.filter(pk=actual.pk, lock_version=expected).update(lock_version=F("lock_version") + 1)
    if not updated:
        actual.refresh_from_db()
        raise _conflict(actual.lock_version, expected)
    return Actual.objects.select_related("indicator", "region").get(pk=actual.pk)


def _conflict(current: int, expected: int | None) -> ConflictError:
    return ConflictError(
        _("This figure was changed by someone else (version %(current)s, you edited %(expected)s). "
          "Reload it and apply your change again.") % {"current": current, "expected": expected},
        current,
    )


def _figure_of(version: ActualVersion) -> FigureInput:
    actual = version.actual
    return FigureInput(actual.indicator, actual.region, actual.year, version.value, version.unit, version.source,
                       origin=version.origin)


def _require_reviewer(user, version: ActualVersion) -> None:
    if not user.has_perm("trackers.review_figure"):
        raise PermissionDenied(_("Only reviewers may approve or return figures."))
    if version.submitted_by_id == user.pk or version.created_by_id == user.pk:
        raise PermissionDenied(_("Nobody may review a figure they submitted."))
