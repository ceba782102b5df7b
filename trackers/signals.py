"""Signals other apps attach to. `figure_approved` is sent inside the approval's transaction,
so a receiver that writes rows (the KPI outbox) commits or rolls back with the approval."""
from django.dispatch import Signal

figure_approved = Signal()  # kwargs: version (an approved ActualVersion)
