"""Officials' alarm pages: inbox, detail with history, acknowledge and clear.

Only public-works officials (and administrators) reach them: others get 403 on the
inbox and 404 on an alarm (its existence is not revealed).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from infrastructure.alarms import selectors, services
from infrastructure.alarms.forms import ACTIVE_FILTER, AlarmActionForm, InboxFilterForm
from infrastructure.alarms.models import Alarm

PAGE_SIZE = 25


def _require_official(request: HttpRequest) -> None:
    if not services.user_can_manage_alarms(request.user):
        raise PermissionDenied(_("Halaman ini untuk pejabat teknis."))


def _get_alarm_for_user(request: HttpRequest, pk: int) -> Alarm:
    if not services.user_can_manage_alarms(request.user):
        raise Http404(_("Alarm tidak ditemukan."))
    alarm = selectors.alarm_detail(pk=pk)
    if alarm is None:
        raise Http404(_("Alarm tidak ditemukan."))
    return alarm


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    _require_official(request)
    form = InboxFilterForm(request.GET)
    status = severity = ""
    if form.is_valid():
        status, severity = form.cleaned_data["status"], form.cleaned_data["tingkat"]
    else:
        messages.error(request, _("Filter tidak dikenal; semua alarm ditampilkan."))
        form = InboxFilterForm()
    alarms = selectors.alarms_for_inbox(
        status="" if status == ACTIVE_FILTER else status,
        severity=severity,
        active_only=status == ACTIVE_FILTER,
    )
    page = Paginator(alarms, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    template = "infrastructure/alarms/inbox.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = _get_alarm_for_user(request, pk)
    return render(
        request,
        "infrastructure/alarms/detail.html",
        {"alarm": alarm, "form": AlarmActionForm()},
    )


def _act(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    alarm = _get_alarm_for_user(request, pk)
    form = AlarmActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("infra_alarms:detail", pk=alarm.pk)
    try:
        service(alarm_id=alarm.pk, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("infra_alarms:detail", pk=alarm.pk)


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.alarm_acknowledge, _("Alarm diterima."))


@require_POST
@login_required
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.alarm_clear, _("Alarm ditutup."))
