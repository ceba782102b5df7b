from django.urls import path

from . import intake

app_name = "intake"

urlpatterns = [
    path("", intake.index, name="index"),
    path("<int:pk>/", intake.draft_page, name="draft"),
    path("drafts/<int:pk>/accept/", intake.draft_accept, name="accept"),
    path("drafts/<int:pk>/reject/", intake.draft_reject, name="reject"),
]
