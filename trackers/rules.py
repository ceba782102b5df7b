"""Who may do what: predicates of the `rules` library, checked by views, the API and services.

Object-level predicates take the figure as (indicator, region) so one rule serves the web form,
the API and the spreadsheet upload.
"""
import rules
from django.db.models import Q

from . import roles
from .models import Target


@rules.predicate
def is_submitter(user):
    return _in_group(user, roles.SUBMITTER)


@rules.predicate
def is_reviewer(user):
    return _in_group(user, roles.REVIEWER)


@rules.predicate
def is_leader(user):
    return _in_group(user, roles.LEADER)


@rules.predicate
def is_auditor(user):
    return _in_group(user, roles.AUDITOR)


@rules.predicate
def is_administrator(user):
    return bool(user and user.is_active and user.is_superuser) or _in_group(user, roles.ADMINISTRATOR)


@rules.predicate
def responsible_for_figure(user, figure):
    """figure: (indicator, region). True when one of the user's departments leads or co-operates
    on a target for that indicator in that region."""
    if figure is None or not user.is_authenticated:
        return False
    indicator, region = figure
    return Target.objects.filter(responsible_q(user), indicator=indicator, region=region).exists()


def department_answers_for(department, indicator, region) -> bool:
    """The department leads or co-operates on a target for the figure, or coordinates a plan
    whose target for it names no department."""
    return Target.objects.filter(
        Q(lead_departments=department)
        | Q(cooperating_departments=department)
        | Q(departments_basis="none", plan__coordinating_departments=department),
        indicator=indicator, region=region,
    ).exists()


def responsible_q(user) -> Q:
    """Targets the user answers for: their department leads or co-operates, or the plan names
    no department for the target and theirs coordinates the plan."""
    return (
        Q(lead_departments__members=user)
        | Q(cooperating_departments__members=user)
        | Q(departments_basis="none", plan__coordinating_departments__members=user)
    )


def _in_group(user, name):
    if not user or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return name in cached


reads_everything = is_leader | is_auditor | is_reviewer | is_administrator

rules.add_perm("trackers.submit_figure", is_submitter & responsible_for_figure)
rules.add_perm("trackers.review_figure", is_reviewer)
rules.add_perm("trackers.view_all_figures", reads_everything)
rules.add_perm("trackers.view_dashboards", reads_everything)
rules.add_perm("trackers.view_history", is_auditor | is_reviewer | is_administrator)
rules.add_perm("trackers.export_reports", is_auditor | is_leader | is_administrator)
rules.add_perm("trackers.view_completeness", reads_everything | is_submitter)
rules.add_perm("trackers.use_api", reads_everything | is_submitter)
