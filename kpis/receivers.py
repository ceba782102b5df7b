from django.dispatch import receiver
from django.utils import timezone

from kpis.services import recompute_request_create
from trackers.models import Target
from trackers.signals import figure_approved


@receiver(figure_approved)
def owe_recomputation(sender, version, **kwargs):
    """An approved figure changes the progress of every target of its indicator and region."""
    actual = version.actual
    target_ids = list(
        Target.objects.filter(indicator_id=actual.indicator_id, region_id=actual.region_id).values_list("pk", flat=True)
    )
    if target_ids:
        recompute_request_create(
            target_ids=target_ids, as_of=timezone.localdate(), reason=f"approved figure {actual.pk} v{version.number}"
        )
