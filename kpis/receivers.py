from django.dispatch import receiver
from django.utils import timezone

from kpis.services import recompute_request_create, snapshots_discard_from
from trackers.selectors import published_targets
from trackers.signals import figure_approved, targets_changed, targets_retired


@receiver(figure_approved)
def owe_recomputation(sender, version, **kwargs):
    """An approved figure changes the progress of every target of its indicator and region (the
    current versions, of published plans: nothing else is shown)."""
    actual = version.actual
    target_ids = list(
        published_targets().filter(indicator_id=actual.indicator_id, region_id=actual.region_id).values_list(
            "pk", flat=True)
    )
    if target_ids:
        recompute_request_create(
            target_ids=target_ids, as_of=timezone.localdate(), reason=f"approved figure {actual.pk} v{version.number}"
        )


@receiver(targets_changed)
def owe_new_progress(sender, target_ids, reason, **kwargs):
    """New or revised targets get today's progress, so the dashboards show them at once."""
    if target_ids:
        recompute_request_create(target_ids=list(target_ids), as_of=timezone.localdate(), reason=reason[:255])


@receiver(targets_retired)
def forget_progress_of_retired_versions(sender, target_ids, on, **kwargs):
    """A snapshot is kept only for a version that counted on its date (reports read them by date)."""
    snapshots_discard_from(target_ids, on)
