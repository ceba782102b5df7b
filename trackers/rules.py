"""Who may do what: every permission of the service, as predicates of the `rules` library.

Pages, the API, the services and the navigation all ask `user.has_perm(<name>, obj)`; nothing
else decides access. Who answers for a figure or a milestone is read from the answering
departments the responsibility rule wrote (trackers.selectors), so one rule serves the web form,
the API and the spreadsheet upload. A figure is named by (indicator, region) or by an Actual.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import rules

from . import roles


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
def answers_for_figure(user, figure):
    """One of the user's departments answers for a target of the figure's indicator and region."""
    if figure is None or not user.is_authenticated:
        return False
    from .selectors import user_answers_for_figure

    indicator, region = (figure.indicator_id, figure.region_id) if hasattr(figure, "indicator_id") else figure
    key = (getattr(indicator, "pk", indicator), getattr(region, "pk", region))
    known = getattr(user, "_figures_answered", None)
    if known is not None and key[0] in known.indicators and key[1] in known.regions:
        return key in known.answered
    return user_answers_for_figure(user, *key)


@dataclass(frozen=True)
class _FiguresAnswered:
    indicators: set
    regions: set
    answered: set


@contextmanager
def figures_prefetched(user, indicators, regions):
    """Within the block, answers_for_figure is known for every figure of these indicators and
    regions from one query, so that asking has_perm for each of an upload's thousands of rows
    asks the database nothing more. The rules stay the ones above."""
    from .selectors import figures_answered_by_user

    indicators = {getattr(i, "pk", i) for i in indicators}
    regions = {getattr(r, "pk", r) for r in regions}
    previous = getattr(user, "_figures_answered", None)
    answered = figures_answered_by_user(user, indicators, regions) if user.is_authenticated else set()
    user._figures_answered = _FiguresAnswered(indicators, regions, answered)
    try:
        yield
    finally:
        user._figures_answered = previous


@rules.predicate
def answers_for_milestone(user, milestone):
    if milestone is None or not user.is_authenticated:
        return False
    from .selectors import user_answers_for_milestone

    return user_answers_for_milestone(user, milestone)


def _in_group(user, name):
    if not user or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return name in cached


reads_everything = is_leader | is_auditor | is_reviewer | is_administrator

# Figures
rules.add_perm("trackers.submit_figures", is_submitter)  # the submission pages
rules.add_perm("trackers.submit_figure", is_submitter & answers_for_figure)
# "My work": what the user's departments owe, overdue and returned; a submitter's home page.
rules.add_perm("trackers.view_my_work", is_submitter)
# Approving many unflagged figures at once, after a confirmation (services.actuals.actuals_approve_unflagged).
rules.add_perm("trackers.approve_in_bulk", is_reviewer)
rules.add_perm("trackers.review_figure", is_reviewer)
rules.add_perm("trackers.view_all_figures", reads_everything)
# Every recorded state of a figure: auditors, reviewers and administrators; submitters for theirs.
rules.add_perm(
    "trackers.view_figure_history", is_auditor | is_reviewer | is_administrator | (is_submitter & answers_for_figure)
)
rules.add_perm("trackers.view_completeness", reads_everything | is_submitter)
rules.add_perm("trackers.use_api", reads_everything | is_submitter)
# Milestones: the departments that answer for one record it done; reviewers may too.
rules.add_perm("trackers.record_milestone", is_reviewer | (is_submitter & answers_for_milestone))
# Plans: reading a new plan's text, accepting its promises, publishing it.
rules.add_perm("trackers.read_plans", is_reviewer | is_administrator)
# Making a plan visible on dashboards, reports and the calendar, and accepting a new text of a
# plan (a revision retires and replaces its targets).
rules.add_perm("trackers.publish_plan", is_reviewer | is_administrator)
# Leaders' pages and auditors' reports
rules.add_perm("trackers.view_dashboards", reads_everything)
rules.add_perm("trackers.export_reports", is_auditor | is_leader | is_administrator)
rules.add_perm("kpis.recompute", is_administrator)
