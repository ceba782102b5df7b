from django.urls import path

from . import intake

app_name = "intake"

urlpatterns = [
    path("", intake.index, name="index"),
    path("regions/", intake.regions_page, name="regions"),
    path("<int:pk>/", intake.draft_page, name="draft"),
    path("<int:pk>/accept/", intake.draft_accept, name="accept"),
    path("proposals/<int:pk>/reject/", intake.draft_reject, name="reject"),
    path("plans/<slug:code>/publish/", intake.plan_publish, name="publish"),
    path("revisions/<int:pk>/", intake.revision_page, name="revision"),
    path("revisions/<int:pk>/accept/", intake.revision_accept, name="revision-accept"),
]
