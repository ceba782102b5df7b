"""factory-boy factories: users in roles, plans and targets made as the services make them (so the
answering departments exist), and approved figures reported through the real workflow."""
import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from trackers import roles
from trackers.models import Actual, Department, Indicator, Plan, Region, Target
from trackers.services.actuals import FigureInput, actual_approve, actual_submit_figure
from trackers.services.responsibility import answerers_refresh


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


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-region-{n}")
    name = factory.Sequence(lambda n: f"测试地区{n}")
    level = Region.Level.DISTRICT


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"test-dept-{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    region = factory.SubFactory(RegionFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"test-plan-{n}")
    title = factory.Sequence(lambda n: f"测试规划{n}")
    short_title = factory.LazyAttribute(lambda plan: plan.title)
    region = factory.SubFactory(RegionFactory)
    issuing_body = "测试"
    start_year = 2021
    end_year = 2025
    published_at = factory.LazyFunction(timezone.now)  # shown on dashboards, as the loader's plans are


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    unit = "亿元"
    kind = Indicator.Kind.FLOW


class TargetFactory(factory.django.DjangoModelFactory):
    """A target; its departments are set as the plan loader sets them, and the answering
    departments are then written by the service (trackers.services.responsibility)."""

    class Meta:
        model = Target
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    key = factory.Sequence(lambda n: f"target-{n}")
    indicator = factory.SubFactory(IndicatorFactory)
    region = factory.LazyAttribute(lambda target: target.plan.region)
    clause = "测试条款"
    comparator = Target.Comparator.GTE
    value = 10
    unit = factory.LazyAttribute(lambda target: target.indicator.unit)
    value_text = factory.LazyAttribute(lambda target: f"{target.value}{target.unit}")
    year = factory.LazyAttribute(lambda target: target.plan.end_year)

    @factory.post_generation
    def lead_departments(self, create, extracted, **kwargs):
        if extracted:
            self.lead_departments.set(extracted)

    @factory.post_generation
    def cooperating_departments(self, create, extracted, **kwargs):
        if extracted:
            self.cooperating_departments.set(extracted)

    @factory.post_generation
    def answerers(self, create, extracted, **kwargs):
        answerers_refresh(targets=Target.objects.filter(pk=self.pk))


class ActualFactory(factory.django.DjangoModelFactory):
    """An approved figure for a target's indicator and region, reported by a submitter of a
    department accountable for it and approved by a reviewer, through the workflow services."""

    class Meta:
        model = Actual

    @classmethod
    def _create(cls, model_class, *, target, year, value, unit=None, source="统计公报", submitter=None,
                department=None, reviewer=None, **kwargs):
        if submitter is None:
            submitter, department = submitter_for(target)
        figure = FigureInput(target.indicator, target.region, year, str(value), unit or target.indicator.unit, source)
        lock = Actual.objects.filter(indicator=target.indicator, region=target.region, year=year).values_list(
            "lock_version", flat=True).first()
        version = actual_submit_figure(user=submitter, department=department, figure=figure,
                                       expected_lock_version=lock, **kwargs)
        actual_approve(user=reviewer or UserFactory(role=roles.REVIEWER), version=version,
                       expected_lock_version=version.actual.lock_version)
        return Actual.objects.get(pk=version.actual_id)


def submitter_for(target: Target, **kwargs):
    """A submitter in a department accountable for `target` (kpis.core.responsibility)."""
    department = Department.objects.filter(answers__target=target, answers__accountable=True).order_by("pk").first()
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
