"""Large uploads: a row limit with a clear message, and files above a size become a Celery job with
a progress page, which stores all or nothing and asks for the uploader's permission again."""
import json

import pytest
from django.contrib.auth.models import Group

from tests.factories import UserFactory
from tests.trackers.test_upload import (
    as_csv,
    as_xlsx,
    synthetic_plan,
    synthetic_regions,
    thousand_rows,
    upload,
    with_bad_rows,
)
from trackers import roles
from trackers.models import ActualVersion, Department, UploadJob
from trackers.services.imports import upload_job_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitter_with_many_figures():
    """50 indicators x 4 regions x 5 years = 1,000 distinct figures the user may submit."""
    regions = synthetic_regions(4)
    department = Department.objects.create(code="job-dept", name="任务部门", region=regions[0])
    _plan, indicators = synthetic_plan(department, indicators=50, regions=regions)
    return UserFactory(role=roles.SUBMITTER, departments=[department]), department, indicators, regions


@pytest.fixture
def small_async_threshold(settings):
    settings.UPLOAD_ASYNC_BYTES = 10_000


def test_a_file_over_the_row_limit_is_refused_with_the_limit_named(client, submitter_with_many_figures, settings):
    settings.UPLOAD_MAX_ROWS = 999
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)
    data = as_xlsx(thousand_rows(department, indicators, regions))

    english = upload(client, "figures.xlsx", data, HTTP_ACCEPT_LANGUAGE="en")
    chinese = upload(client, "figures.xlsx", data)

    assert english.status_code == chinese.status_code == 400
    assert "The file holds more than 999 rows of figures." in english.content.decode()
    assert "999" in chinese.content.decode() and "The file holds" not in chinese.content.decode()
    assert not ActualVersion.objects.filter(department=department).exists()


def test_a_large_file_becomes_a_job_that_stores_it_and_shows_its_outcome(
    client, submitter_with_many_figures, small_async_threshold, django_capture_on_commit_callbacks
):
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "figures.csv", as_csv(thousand_rows(department, indicators, regions)))

    job = UploadJob.objects.get(requested_by=user)
    assert response.status_code == 302 and response["Location"] == f"/figures/upload/jobs/{job.pk}/"
    assert (job.state, job.progress, job.rows, job.stored, job.errors) == ("done", 100, 1000, 1000, [])
    assert ActualVersion.objects.filter(department=department, status="submitted").count() == 1000
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Stored and submitted for review: 1000 figures" in page.content.decode()
    status = json.loads(client.get(f"/figures/upload/jobs/{job.pk}/status/").content)
    assert status["state"] == "done" and status["finished"] is True and status["progress"] == 100
    assert job.filename in client.get("/figures/upload/").content.decode()  # listed on the upload page


def test_a_job_reports_every_row_problem_in_the_uploaders_language_and_stores_nothing(
    client, submitter_with_many_figures, small_async_threshold, django_capture_on_commit_callbacks
):
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "figures.xlsx", as_xlsx(with_bad_rows(thousand_rows(department, indicators, regions))),
               HTTP_ACCEPT_LANGUAGE="en")

    job = UploadJob.objects.get(requested_by=user)
    assert job.state == "done" and job.stored == 0
    assert [(e["row"], e["column"]) for e in job.errors] == [(9, "value"), (482, "unit"), (998, "source")]
    assert job.errors[0]["message"] == "This indicator cannot be negative."
    assert not ActualVersion.objects.filter(department=department).exists()
    page = client.get(f"/figures/upload/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing was stored. Problems to fix: 3." in page and "cannot be converted exactly" in page


def test_a_job_asks_for_the_permission_again_when_it_runs(
    client, submitter_with_many_figures, small_async_threshold, django_capture_on_commit_callbacks
):
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False):  # queued; the worker has not run it yet
        upload(client, "figures.csv", as_csv(thousand_rows(department, indicators, regions)))
    job = UploadJob.objects.get(requested_by=user)
    assert (job.state, job.stage) == ("pending", "queued")

    user.groups.remove(Group.objects.get(name=roles.SUBMITTER))  # the role is withdrawn meanwhile
    job = upload_job_run(job.pk)

    assert job.state == "failed" and job.error == "你无权填报数据。"
    assert not ActualVersion.objects.filter(department=department).exists()
    assert upload_job_run(job.pk).state == "failed"  # a redelivered task message changes nothing


def test_a_job_for_a_file_that_cannot_be_read_fails_with_the_reason(
    client, submitter_with_many_figures, small_async_threshold, settings, django_capture_on_commit_callbacks
):
    settings.UPLOAD_MAX_ROWS = 10
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "figures.csv", as_csv(thousand_rows(department, indicators, regions)), HTTP_ACCEPT_LANGUAGE="en")

    job = UploadJob.objects.get(requested_by=user)
    assert job.state == "failed" and "more than 10 rows" in job.error
    assert "more than 10 rows" in client.get(f"/figures/upload/jobs/{job.pk}/").content.decode()


def test_a_job_is_seen_by_its_uploader_only(client, submitter_with_many_figures, small_async_threshold,
                                            django_capture_on_commit_callbacks):
    user, department, indicators, regions = submitter_with_many_figures
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, "figures.csv", as_csv(thousand_rows(department, indicators, regions)))
    job = UploadJob.objects.get(requested_by=user)

    client.force_login(UserFactory(role=roles.SUBMITTER))
    assert client.get(f"/figures/upload/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/figures/upload/jobs/{job.pk}/status/").status_code == 404
    client.force_login(UserFactory(role=roles.REVIEWER))
    assert client.get(f"/figures/upload/jobs/{job.pk}/").status_code == 403
