"""Signals other apps attach to, sent inside the writing transaction, so a receiver that writes
rows (the KPI outbox) commits or rolls back with the write that caused it."""
from django.dispatch import Signal

figure_approved = Signal()  # kwargs: version (an approved ActualVersion)
# Targets created or revised (intake, a plan's publication, a revision): their progress is owed.
targets_changed = Signal()  # kwargs: target_ids (list of int), reason (str)
# Target versions retired from a day on (a revision, or the loader when a target leaves its
# fixture): progress stored for that day or later measured a version that no longer counted then.
targets_retired = Signal()  # kwargs: target_ids (list of int), on (date)
