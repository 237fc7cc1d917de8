from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import conf, selectors, services
from notifications.models import Channel, Message


def _get_message_for_user(request: HttpRequest, pk: int) -> Message:
    # Another citizen's message is a 404: its existence is not revealed.
    return get_object_or_404(Message, pk=pk, recipient=request.user, channel=Channel.INBOX)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(
        selectors.inbox_for_user(user=request.user), conf.get("NOTIFICATIONS_INBOX_PAGE_SIZE")
    )
    page = paginator.get_page(request.GET.get("halaman"))
    unread = selectors.unread_count(user=request.user)
    return render(
        request,
        "notifications/index.html",
        {"page": page, "unread": unread, "poll_s": conf.get("NOTIFICATIONS_BADGE_POLL_S")},
    )


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = services.message_mark_read(
        user=request.user, message=_get_message_for_user(request, pk)
    )
    return render(request, "notifications/detail.html", {"message": message})


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.inbox_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("notifications:index")


@require_GET
@never_cache
@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The unread badge alone (2 queries: session user, count), polled by htmx."""
    return render(
        request,
        "notifications/_badge.html",
        {
            "unread": selectors.unread_count(user=request.user),
            "poll_s": conf.get("NOTIFICATIONS_BADGE_POLL_S"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preference_table(user=request.user)
    if request.method == "POST":
        choices = {
            (row["category"].key, cell["channel"]): cell["name"] in request.POST
            for row in rows
            for cell in row["cells"]
            if not cell["locked"]
        }
        services.preferences_update(
            user=request.user, choices=choices, language=request.POST.get("language")
        )
        messages.success(request, _("Pilihan notifikasi tersimpan."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "languages": settings.LANGUAGES},
    )


@csrf_exempt  # RFC 8058: the mail provider POSTs without our cookie; the signed token is the proof.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = services.unsubscribe_target(token)
    if target is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user, category = target
    if category.transactional:
        return render(
            request, "notifications/unsubscribe.html", {"category": category, "locked": True}
        )
    if request.method == "POST":
        services.email_unsubscribe(user=user, category=category)
        return render(
            request, "notifications/unsubscribe.html", {"category": category, "done": True}
        )
    return render(request, "notifications/unsubscribe.html", {"category": category, "token": token})
