"""Server-rendered pages of an enterprise's own account: /status/ (SPEC §6).

They read through the same selector as GET /api/status/ (``enterprise_status``, scoped by
``visible_to``), so the page, the API and the statement always show the same figures. Like the
API, the pages are for enterprise users only; other roles get 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger import clock
from ledger.errors import ValidationFailed
from ledger.models import Obligation, Role
from ledger.selectors import status as sel
from ledger.services import status as svc


def _forbidden(request):
    return render(request, "ledger/status_forbidden.html", status=403)


def _is_enterprise(user) -> bool:
    return user.role == Role.ENTERPRISE and user.enterprise_id is not None


def _as_of(request):
    try:
        return clock.parse_as_of(request.GET.get("as_of")), None
    except ValidationFailed as exc:
        return clock.today(), exc.fields.get("as_of", [exc.detail])[0]


@login_required
def status_page(request):
    if not _is_enterprise(request.user):
        return _forbidden(request)
    as_of, error = _as_of(request)
    st = sel.enterprise_status(user=request.user, as_of=as_of)
    notifications = list(sel.notifications_for(request.user)[:20])
    context = {
        "st": st,
        "as_of": as_of,
        "as_of_error": error,
        "notifications": notifications,
        "unread": sum(1 for n in notifications if n.read_at is None),
    }
    return render(request, "ledger/status.html", context, status=400 if error else 200)


@login_required
def status_obligation_page(request, pk: int):
    if not _is_enterprise(request.user):
        return _forbidden(request)
    as_of, error = _as_of(request)
    try:
        o = sel.enterprise_obligation(user=request.user, pk=pk)
    except Obligation.DoesNotExist:
        raise Http404("未找到") from None
    context = {
        "o": o,
        "row": sel.obligation_row(o, as_of),
        "entries": list(o.entries.all()),
        "reasons": list(o.refusal_reasons.all()),
        "as_of": as_of,
        "as_of_error": error,
    }
    return render(request, "ledger/status_obligation.html", context, status=400 if error else 200)


@login_required
@require_POST
def status_notifications_read(request):
    if not _is_enterprise(request.user):
        return _forbidden(request)
    svc.notifications_mark_all_read(actor=request.user)
    return redirect("status")
