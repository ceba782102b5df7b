"""Every word the service uses about promises and figures, defined once: code -> English label.

The models build their choices and check constraints from these dictionaries, the engine checks
its inputs against them, and pages and reports translate the labels where they show them (the
labels are msgids of the catalogue; `gettext_noop` lets makemessages find them without Django).
Dictionaries keep their order: it is the order pages and reports list the codes in.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Marks a label for the translation catalogue; it is translated where it is shown."""
    return message


# What a promise compares the figure with.
COMPARATORS = {
    "gte": gettext_noop("at least"),
    "gt": gettext_noop("more than"),
    "approx": gettext_noop("about"),
    "range": gettext_noop("range"),
    "lte": gettext_noop("at most"),
    "lt": gettext_noop("less than"),
    "eq": gettext_noop("exactly"),
}
COMPARATOR_SYMBOLS = {"gte": "≥", "gt": ">", "approx": "≈", "range": "a–b", "lte": "≤", "lt": "<", "eq": "="}

# What the promised number is a number of.
BASES = {
    "level": gettext_noop("level in the target year"),
    "cumulative": gettext_noop("cumulative over the plan period"),
    "annual": gettext_noop("every year (recurring)"),
}
# What a snapshot's latest value is, by basis: a cumulative target's is the running total (累计).
LATEST_VALUE_KINDS = {
    "level": gettext_noop("figure for the year"),
    "cumulative": gettext_noop("cumulative total"),
    "annual": gettext_noop("figure for the year"),
}
DIRECTIONS = {"higher": gettext_noop("higher is better"), "lower": gettext_noop("lower is better")}
KINDS = {
    "flow": gettext_noop("annual flow"),
    "stock": gettext_noop("stock at year end"),
    "share": gettext_noop("share (%)"),
    "rate": gettext_noop("rate or intensity (%)"),
    "count": gettext_noop("count"),
}
# Kinds whose level grows by a rate, so their expected path is geometric; the rest are linear.
GEOMETRIC_KINDS = ("flow", "stock")
# How the plan qualifies a baseline it states ("超过5000亿元", "约50亿元").
BASELINE_QUALIFIERS = {
    "exact": gettext_noop("exactly"),
    "over": gettext_noop("more than (超过)"),
    "about": gettext_noop("about (约)"),
    "at_least": gettext_noop("at least (以上)"),
    "under": gettext_noop("less than"),
}

# Where a target stands, worst news last but for "no data"; the order pages and reports use.
STATUSES = {
    "achieved": gettext_noop("achieved"),
    "on_track": gettext_noop("on track"),
    "at_risk": gettext_noop("at risk"),
    "off_track": gettext_noop("off track"),
    "overdue": gettext_noop("overdue"),
    "no_data": gettext_noop("no data"),
}

STATUS_RANKS = {code: rank for rank, code in enumerate(STATUSES)}  # the order pages sort statuses in

# Where a dated deliverable stands on a day; "unknown" is shown where no state was computed.
MILESTONE_STATES = {
    "done": gettext_noop("done on time"),
    "done_late": gettext_noop("done late"),
    "pending": gettext_noop("not yet due"),
    "overdue": gettext_noop("overdue, not done"),
}
MILESTONE_NOT_COMPUTED = "unknown"
MILESTONE_STATE_LABELS = {**MILESTONE_STATES, MILESTONE_NOT_COMPUTED: gettext_noop("not computed for this date")}

# Who answers for a promise (see kpis.core.responsibility).
ANSWERING_ROLES = {
    "lead": gettext_noop("lead"),
    "cooperating": gettext_noop("co-operating"),
    "coordinating": gettext_noop("coordinating the plan"),
}
# Where the departments of a promise come from.
DEPARTMENT_BASES = {
    "stated": gettext_noop("stated in the clause's bracket"),
    "inferred": gettext_noop("inferred from the delivering task"),
    "none": gettext_noop("not named"),
}

# A reported figure's version: draft -> submitted -> approved, or returned -> resubmitted;
# an approved version a correction replaces becomes superseded.
VERSION_STATUSES = {
    "draft": gettext_noop("draft"),
    "submitted": gettext_noop("submitted"),
    "approved": gettext_noop("approved"),
    "returned": gettext_noop("returned"),
    "superseded": gettext_noop("superseded"),
}
OPEN_VERSION_STATUSES = ("draft", "submitted", "returned")

# Where an owed figure stands for the department that owes it (trackers.selectors.with_work_state),
# in the order a submitter's "my work" lists them: what needs doing first.
WORK_STATES = {
    "returned": gettext_noop("returned"),
    "overdue": gettext_noop("overdue"),
    "owed": gettext_noop("owed"),
    "submitted": gettext_noop("waiting for review"),
    "done": gettext_noop("approved"),
}
WORK_TO_DO = ("returned", "overdue", "owed")

# What one recorded change of a version was, for audit trails (see figure_event).
FIGURE_EVENTS = {
    "saved": gettext_noop("draft saved"),
    "edited": gettext_noop("edited"),
    "submitted": gettext_noop("submitted for review"),
    "corrected": gettext_noop("correction submitted"),
    "approved": gettext_noop("approved by a reviewer"),
    "returned": gettext_noop("returned to the submitter"),
    "superseded": gettext_noop("superseded by a correction"),
    "deleted": gettext_noop("deleted"),
}


def figure_event(history_type: str, status: str, number: int) -> str:
    """What a recorded change of a figure's version was, from the record's kind ("+" created,
    "~" changed, "-" deleted), the status it left and the version number (above 1: a correction)."""
    if history_type == "-":
        return "deleted"
    if history_type == "+":
        return "saved"
    if status == "submitted":
        return "corrected" if number > 1 else "submitted"
    return {"approved": "approved", "returned": "returned", "superseded": "superseded"}.get(status, "edited")


# Where a row of the promise side (region, department, indicator, plan, target, milestone,
# baseline) comes from. The plan loader updates only curated rows, and only while nobody has
# edited them since it wrote them (trackers.services.plans).
ORIGINS = {
    "curated": gettext_noop("curated fixture"),
    "intake": gettext_noop("added by a reviewer"),
}

# How a new text of a plan changes one of its targets (trackers.services.revisions).
REVISION_CHANGES = {
    "unchanged": gettext_noop("unchanged"),
    "changed": gettext_noop("changed"),
    "added": gettext_noop("added"),
    "removed": gettext_noop("removed"),
}

# What kind of figure a version is: a department's submission, a figure read from a published
# source (trackers.services.published), or invented demo data (trackers.services.demo). Pages
# and reports say which beside every point.
FIGURE_ORIGINS = {
    "submitted": gettext_noop("submitted by a department"),
    "published": gettext_noop("published figure"),
    "demo": gettext_noop("demo data"),
}

# A published figure (fixtures/published, SCHEMA.md): what it measures, who published it, and
# what the loader did with it. Its qualifier uses BASELINE_QUALIFIERS (the same words: 超过, 约 …).
PUBLISHED_MEASURES = {
    "level": gettext_noop("value in the year"),
    "annual_addition": gettext_noop("added during the year"),
    "cumulative": gettext_noop("running total since a start year"),
}
PUBLISHED_SOURCE_KINDS = {
    "government": gettext_noop("government"),
    "state_media": gettext_noop("state media"),
    "other_media": gettext_noop("other media"),
    "research": gettext_noop("research institute"),
    "commercial": gettext_noop("commercial research"),
}
# Only "submitted" figures became a version for review (and count once a reviewer approves them).
PUBLISHED_STANDINGS = {
    "submitted": gettext_noop("submitted for review"),
    "scope_differs": gettext_noop("scope differs: shown, never counted"),
    "already_reported": gettext_noop("another figure is reported for this year: shown only"),
    "running_total": gettext_noop("a running total, not a yearly figure: shown only"),
}

# The mails the service sends (trackers.services.notifications), one kind per reason.
NOTIFICATION_KINDS = {
    "return": gettext_noop("figure returned"),
    "approval": gettext_noop("figure approved"),
    "reminder": gettext_noop("figure due soon"),
    "overdue": gettext_noop("figure overdue"),
    "digest": gettext_noop("review digest"),
}

# Where a background job stands (an upload checked and stored by a worker, a large gap report).
JOB_STATES = {
    "pending": gettext_noop("waiting"),
    "running": gettext_noop("running"),
    "done": gettext_noop("done"),
    "failed": gettext_noop("failed"),
}
