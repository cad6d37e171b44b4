"""A view that writes and then fails, to prove the whole request is rolled back."""

from django.urls import path
from rest_framework.views import APIView

from ledger.errors import Conflict
from ledger.models import Agency


class WriteThenFail(APIView):
    def post(self, request):
        Agency.objects.create(
            name="半途写入局", short_code="half-written", region_code="341002", legal_personality=False
        )
        raise Conflict("写入后发生领域错误", code="late_failure")


class WriteThenCrash(APIView):
    def post(self, request):
        Agency.objects.create(
            name="崩溃写入局", short_code="crash-written", region_code="341002", legal_personality=False
        )
        raise RuntimeError("secret internal detail /etc/passwd")


urlpatterns = [path("write-then-fail/", WriteThenFail.as_view()), path("write-then-crash/", WriteThenCrash.as_view())]
handler500 = "ledger.urls.server_error"
handler404 = "ledger.urls.not_found"
