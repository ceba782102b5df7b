"""/reports/: the export form and job pages, and the API under /reports/api/.

Names live in the "reporting" namespace (reporting/urls.py): the form is "reporting:exports",
as the site navigation links it; the rest start with "exports-".
"""
from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.report_form, name="exports"),
    path("scope-options/", views.scope_options_json, name="exports-scope-options"),
    path("exports/<int:entry_id>/again/", views.export_again, name="exports-again"),
    path("jobs/<uuid:job_id>/", views.job_page, name="exports-job"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="exports-job-download"),
    path("api/gap-report/", api.GapReportView.as_view(), name="exports-api-gap-report"),
    path("api/jobs/<uuid:job_id>/", api.ReportJobView.as_view(), name="exports-api-job"),
    path("api/jobs/<uuid:job_id>/download/", api.ReportJobDownloadView.as_view(), name="exports-api-job-download"),
]
