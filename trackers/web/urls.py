from django.urls import path

from . import account, views

app_name = "web"

urlpatterns = [
    path("my-work/", views.my_work, name="my-work"),
    path("figures/", views.figures, name="figures"),
    path("figures/upload/", views.figure_upload, name="figure-upload"),
    path("figures/upload/jobs/<uuid:job_id>/", views.figure_upload_job, name="figure-upload-job"),
    path("figures/upload/jobs/<uuid:job_id>/status/", views.figure_upload_job_status,
         name="figure-upload-job-status"),
    path("figures/template.xlsx", views.figure_template, {"kind": "xlsx"}, name="figure-template-xlsx"),
    path("figures/template.csv", views.figure_template, {"kind": "csv"}, name="figure-template-csv"),
    path("figures/<int:actual_id>/history/", views.figure_history, name="figure-history"),
    path("review/", views.review, name="review"),
    path("review/bulk/", views.review_bulk, name="review-bulk"),
    path("review/<int:version_id>/approve/", views.review_approve, name="review-approve"),
    path("review/<int:version_id>/return/", views.review_return, name="review-return"),
    path("completeness/", views.completeness_page, name="completeness"),
    path("account/notifications/", account.notification_settings, name="account-notifications"),
]
