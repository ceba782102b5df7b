"""manage.py load_published: all or nothing, idempotent, counting figures through the review,
scope mismatches stored and never counted."""
import shutil
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from kpis.models import ProgressSnapshot
from kpis.services import snapshots_recompute
from tests.factories import ActualFactory, UserFactory
from trackers import roles
from trackers.models import ActualVersion, PublishedFigure, Target
from trackers.services.actuals import actual_approve
from trackers.services.published import CURATOR_USERNAME, PublishedFiguresRefused, published_load

pytestmark = pytest.mark.django_db
FIXTURES = settings.BASE_DIR / "fixtures"
GUANGDONG = "guangdong-biomed-2021-2025"


def _copy_published(tmp_path):
    target = tmp_path / "published"
    shutil.copytree(FIXTURES / "published", target)
    return target


def _guangdong_revenue() -> Target:
    return Target.objects.get(plan__code=GUANGDONG, key="revenue-2025")


def test_counting_figures_are_submitted_for_review_and_the_others_shown_only():
    result = published_load(FIXTURES)
    assert result.created == {"submitted": 6, "scope_differs": 8}
    submitted = PublishedFigure.objects.filter(standing="submitted")
    assert submitted.count() == 6 and not submitted.filter(version=None).exists()
    versions = ActualVersion.objects.filter(published__isnull=False)
    assert set(versions.values_list("origin", "status").distinct()) == {("published", "submitted")}
    assert set(versions.values_list("submitted_by__username", flat=True)) == {CURATOR_USERNAME}
    assert not PublishedFigure.objects.filter(scope_matches=False).exclude(version=None).exists()
    # The curator submits figures; it cannot log in.
    assert not ActualVersion.objects.get(published__key="revenue-2023-stdaily").submitted_by.has_usable_password()
    # Stored as the source states it: "超万件" is over 10000, not an estimate.
    patents = PublishedFigure.objects.get(key="invention-patents-2023-askci")
    assert (patents.value, patents.qualifier, patents.value_text) == (Decimal("10000"), "over", "万件")
    version = ActualVersion.objects.get(published__key="revenue-2023-stdaily")
    assert version.value_in_indicator_unit == Decimal("6638")
    assert "科技日报" in version.source and "http" in version.source


def test_a_second_load_changes_nothing():
    call_command("load_published", verbosity=0)
    figures = list(PublishedFigure.objects.order_by("pk").values())
    versions = list(ActualVersion.objects.order_by("pk").values())
    result = published_load(FIXTURES)
    assert result.created == {} and result.unchanged == 14
    assert list(PublishedFigure.objects.order_by("pk").values()) == figures
    assert list(ActualVersion.objects.order_by("pk").values()) == versions


def test_a_broken_file_stores_nothing_and_the_error_names_figure_and_field(tmp_path):
    published = _copy_published(tmp_path)
    path = published / f"{GUANGDONG}.yaml"
    text = path.read_text("utf-8")
    assert 'value: "6638"' in text
    path.write_text(text.replace('value: "6638"', 'value: "6639"'), "utf-8")  # no longer what the sentence says

    with pytest.raises(PublishedFiguresRefused) as refused:
        published_load(FIXTURES, published)
    problems = "\n".join(refused.value.problems)
    assert f"{GUANGDONG}.yaml: figure revenue-2023-stdaily: value_text" in problems
    assert not PublishedFigure.objects.exists()  # the other thirteen sound figures were not stored either
    assert not ActualVersion.objects.exists()


def test_a_figure_without_its_sentence_is_refused_by_the_command(tmp_path, settings):
    published = _copy_published(tmp_path)
    path = published / "shenzhen-health-2022-2025.yaml"
    path.write_text(path.read_text("utf-8").replace('sentence: "2021年,深圳健康经济产业规模约2000亿元"', 'sentence: ""'),
                    "utf-8")
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name in ("plans", "regions.yaml"):
        (fixtures / name).symlink_to(FIXTURES / name)
    (fixtures / "published").symlink_to(published)
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="figure health-economy-2021-cdi: source has no sentence"):
        call_command("load_published", verbosity=0)
    assert not PublishedFigure.objects.exists()


def test_a_loaded_figure_changed_in_the_file_is_refused_naming_the_field(tmp_path):
    published_load(FIXTURES)
    published = _copy_published(tmp_path)
    path = published / "shenzhen-health-2022-2025.yaml"
    path.write_text(path.read_text("utf-8").replace("publisher: 综合开发研究院（中国·深圳）", "publisher: 别的机构"), "utf-8")
    with pytest.raises(PublishedFiguresRefused, match="figure health-economy-2021-cdi: publisher differs"):
        published_load(FIXTURES, published)
    assert PublishedFigure.objects.get(key="health-economy-2021-cdi").publisher == "综合开发研究院（中国·深圳）"


def test_an_approved_published_figure_counts_and_a_scope_mismatch_never_does():
    published_load(FIXTURES)
    target = _guangdong_revenue()
    today = timezone.localdate()
    snapshots_recompute(Target.objects.filter(pk=target.pk), today)
    assert ProgressSnapshot.objects.get(target=target, as_of=today).latest_value is None  # submitted, not yet approved

    version = ActualVersion.objects.get(published__key="revenue-2023-stdaily")
    actual_approve(user=UserFactory(role=roles.REVIEWER), version=version,
                   expected_lock_version=version.actual.lock_version)
    snapshots_recompute(Target.objects.filter(pk=target.pk), today)
    snapshot = ProgressSnapshot.objects.get(target=target, as_of=today)
    # 2024's 约4486.63亿元 (a narrower basis, shown only) would be the latest if it counted.
    assert (snapshot.latest_year, snapshot.latest_value, snapshot.latest_version_id) == (2023, Decimal("6638"), version.pk)
    assert PublishedFigure.objects.filter(indicator=target.indicator, year=2024, standing="scope_differs").exists()


def test_a_figure_a_department_already_reported_is_kept_shown_only():
    parks = Target.objects.get(plan__code=GUANGDONG, key="comprehensive-parks-2025")
    reported = ActualFactory(target=parks, year=2022, value="9")
    published_load(FIXTURES)
    figure = PublishedFigure.objects.get(key="comprehensive-parks-2022-nfdaily")
    assert (figure.standing, figure.version) == ("already_reported", None)
    assert list(reported.versions.values_list("value", "origin")) == [(Decimal("9"), "submitted")]


@pytest.mark.parametrize("change", [{"source_url": ""}, {"source_url": "javascript:alert(1)"}, {"sentence": ""},
                                    {"scope_matches": False, "scope_note": ""},
                                    {"scope_matches": False, "scope_note": "口径不同", "standing": "submitted"}])
def test_the_database_refuses_a_published_figure_without_its_citation_or_counting_out_of_scope(change):
    from django.db import IntegrityError, transaction

    published_load(FIXTURES)
    figure = PublishedFigure.objects.get(key="revenue-2023-stdaily")
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedFigure.objects.filter(pk=figure.pk).update(**change)


def test_the_review_queue_shows_a_published_figure_with_its_sentence(client):
    published_load(FIXTURES)
    client.force_login(UserFactory(role=roles.REVIEWER))
    page = client.get("/review/").content.decode()
    figure = PublishedFigure.objects.get(key="invention-patents-2023-askci")
    row = page[page.index(f'id="version-{figure.version_id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-origin="published"' in row and figure.sentence in row and figure.source_url in row
    assert "万件（超过）" in row  # the qualifier the source states, beside the value


def test_every_stored_sentence_still_holds_its_value_as_written():
    """The loader stores the sentence verbatim: the value as the source wrote it is in it, once."""
    from trackers.published_fixtures import read_value_text

    published_load(FIXTURES)
    for figure in PublishedFigure.objects.all():
        assert figure.sentence.count(figure.value_text) == 1, figure.key
        stated = read_value_text(figure.value_text)
        assert (stated.low, stated.unit) == (figure.value, figure.unit), figure.key
