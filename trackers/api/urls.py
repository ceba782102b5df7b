from rest_framework.routers import DefaultRouter

from kpis.api import ProgressViewSet

from . import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet)
router.register("departments", views.DepartmentViewSet)
router.register("plans", views.PlanViewSet, basename="plan")
router.register("indicators", views.IndicatorViewSet)
router.register("targets", views.TargetViewSet)
router.register("milestones", views.MilestoneViewSet)
router.register("actuals", views.ActualViewSet, basename="actual")
router.register("versions", views.VersionViewSet, basename="version")
router.register("progress", ProgressViewSet, basename="progress")

urlpatterns = router.urls
