from django.urls import include, path

app_name = "reporting"

urlpatterns = [
    path("dashboards/", include("reporting.dashboards.urls")),
    path("reports/", include("reporting.exports.urls")),
]
