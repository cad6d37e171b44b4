"""URL wiring. The only place in `ledger` that names the higher apps (import-linter allows it)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ledger.api import parties
from ledger.api.session import TokenView
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
    path("api/", include(router.urls)),
]


def server_error(request, *args, **kwargs):
    """A bare 500 in the envelope, with no internals."""
    return JsonResponse({"code": "server_error", "detail": "服务器内部错误"}, status=500)


handler500 = server_error
