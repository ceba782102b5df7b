"""factory-boy factories: users in roles, departments responsible for real fixture targets."""
import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from trackers import roles
from trackers.models import Department, Target


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        for department in extracted or []:
            department.members.add(self)


def submitter_for(target: Target, **kwargs):
    """A submitter in the department that leads `target` (or co-operates when none leads)."""
    department = (
        target.lead_departments.first()
        or target.cooperating_departments.first()
        or target.plan.coordinating_departments.first()
    )
    return UserFactory(role=roles.SUBMITTER, departments=[department], **kwargs), department


def target_with_lead(plan_code: str, indicator_code: str | None = None, unit: str | None = None) -> Target:
    targets = Target.objects.filter(plan__code=plan_code)
    if not unit:
        targets = targets.filter(lead_departments__isnull=False)
    if indicator_code:
        targets = targets.filter(indicator__code=indicator_code)
    if unit:
        targets = targets.filter(indicator__unit=unit)
    return targets.select_related("indicator", "region", "plan").order_by("key").first()


def other_department(department: Department) -> Department:
    return Department.objects.exclude(pk=department.pk).filter(led_targets__isnull=False).first()
