"""URL wiring. The only place in `ledger` that names the higher apps (import-linter allows it)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ledger.api import claims as claims_api
from ledger.api import export_jobs as export_jobs_api
from ledger.api import imports as imports_api
from ledger.api import notifications as notifications_api
from ledger.api import obligations, oversight, parties, redemptions
from ledger.api import reports as reports_api
from ledger.api import status as status_api
from ledger.api.session import TokenView
from ledger.dashboard import dashboard
from ledger.pages import status_notifications_read, status_obligation_page, status_page
from ledger.views import home

admin.site.site_header = "履约践诺台账 管理后台"
admin.site.site_title = "履约践诺台账"
admin.site.index_title = "数据管理"

router = DefaultRouter()
router.register("agencies", parties.AgencyViewSet, basename="agency")
router.register("unit-groups", parties.UnitGroupViewSet, basename="unit-group")
router.register("tenures", parties.TenureViewSet, basename="tenure")
router.register("enterprises", parties.EnterpriseViewSet, basename="enterprise")
router.register("users", parties.UserViewSet, basename="user")
router.register("plan-tasks", parties.PlanTaskViewSet, basename="plan-task")
router.register("calendar-overrides", parties.CalendarOverrideViewSet, basename="calendar-override")
router.register("lpr-rates", parties.LprRateViewSet, basename="lpr-rate")
router.register("policies", redemptions.PolicyViewSet, basename="policy")
router.register("redemptions", redemptions.RedemptionViewSet, basename="redemption")
router.register("obligations", obligations.ObligationViewSet, basename="obligation")
router.register(
    r"obligations/(?P<obligation_pk>[0-9]+)/payments",
    obligations.ObligationPaymentViewSet,
    basename="obligation-payment",
)
router.register("recommendations", oversight.RecommendationViewSet, basename="recommendation")
router.register("decisions", oversight.DecisionViewSet, basename="decision")

router.register("claims", claims_api.ClaimViewSet, basename="claim")
router.register("confirmations", claims_api.ConfirmationViewSet, basename="confirmation")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("imports", imports_api.ImportJobViewSet, basename="import")
router.register("export-jobs", export_jobs_api.ExportJobViewSet, basename="export-job")
router.register("saved-filters", export_jobs_api.SavedFilterViewSet, basename="saved-filter")
router.register("report-snapshots", reports_api.ReportSnapshotViewSet, basename="report-snapshot")

# Higher apps add their routes here (the wiring may name them).
from contracts.urls import register as register_contracts  # noqa: E402
from credit.urls import register as register_credit  # noqa: E402

register_contracts(router)
register_credit(router)

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="ledger/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("status/", status_page, name="status"),
    path("status/obligations/<int:pk>/", status_obligation_page, name="status-obligation"),
    path("status/notifications/read/", status_notifications_read, name="status-notifications-read"),
    path("api/status/", status_api.StatusView.as_view(), name="status-api"),
    path("api/status/statement/", status_api.StatementView.as_view(), name="status-statement"),
    path("api/status/lookup/", status_api.PublicLookupView.as_view(), name="status-lookup"),
    path("dashboard/", dashboard, name="dashboard"),
    path("api/reports/", reports_api.ReportIndexView.as_view(), name="reports"),
    path("api/reports/<slug:kind>/", reports_api.ReportView.as_view(), name="report"),
    path("api/reports/<slug:kind>/publish/", reports_api.ReportPublishView.as_view(), name="report-publish"),
    path("api/", include(router.urls)),
]


def server_error(request, *args, **kwargs):
    """A bare 500 in the envelope, with no internals."""
    return JsonResponse({"code": "server_error", "detail": "服务器内部错误"}, status=500)


handler500 = server_error


def not_found(request, exception=None):
    """Unmatched API paths answer in the envelope too; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "未找到"}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = not_found
