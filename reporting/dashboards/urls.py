from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plans/<slug:code>/", views.plan_page, name="plan"),
    path("targets/<int:pk>/", views.target_page, name="target"),
    path("regions/", views.regions_page, name="regions"),
    path("completeness/", views.completeness_page, name="dashboard-completeness"),
    path("recompute/", views.recompute_now, name="recompute"),
]
