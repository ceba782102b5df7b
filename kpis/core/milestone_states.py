"""State of dated milestones (things to be done by a deadline) as of a given day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kpis.core import vocabulary
from kpis.core.inputs import require_columns

MILESTONE_COLUMNS = ("milestone_id", "deadline", "completed_on")
MILESTONE_STATES = tuple(vocabulary.MILESTONE_STATES)


def milestone_states(milestones: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per milestone: milestone_id, state, days_late.

    A completion dated after `as_of` is not yet known, so the milestone still counts
    as open on that day. A deadline is met by completing on the deadline day itself.
    days_late: completion minus deadline for done_late, as_of minus deadline for overdue, else 0.
    """
    require_columns(milestones, MILESTONE_COLUMNS, "milestones")
    day = pd.Timestamp(as_of).normalize()
    deadline = pd.to_datetime(milestones["deadline"]).dt.normalize()
    if deadline.isna().any():
        raise ValueError("every milestone needs a deadline")
    completed_on = pd.to_datetime(milestones["completed_on"]).dt.normalize()
    completed_by_day = completed_on.notna() & (completed_on <= day)
    late_by_completion = (completed_on - deadline).dt.days
    late_by_today = (day - deadline).dt.days
    rules = [
        (completed_by_day & (completed_on <= deadline), "done", 0),
        (completed_by_day, "done_late", late_by_completion),
        (deadline >= day, "pending", 0),
    ]
    conditions = [condition.to_numpy(dtype=bool) for condition, _, _ in rules]
    state = np.select(conditions, [state for _, state, _ in rules], default="overdue")
    days_late = np.select(
        conditions, [np.asarray(days, dtype=float) for _, _, days in rules], default=late_by_today.to_numpy(dtype=float)
    )
    return pd.DataFrame(
        {
            "milestone_id": milestones["milestone_id"].to_numpy(),
            "state": state,
            "days_late": days_late.astype("int64"),
        }
    ).sort_values("milestone_id", kind="mergesort", ignore_index=True)
