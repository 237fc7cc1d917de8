from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import health, selectors, services
from portal.cards import cards_html
from portal.forms import CitizenDocumentForm, CitizenProfileForm
from portal.models import CitizenDocument, CitizenProfile


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "portal/home.html")


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {"cards": cards_html(request)})


def _profile_for_user(user) -> CitizenProfile | None:
    return CitizenProfile.objects.filter(user=user).select_related("kelurahan__parent").first()


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/profile.html",
        {
            "profile": _profile_for_user(request.user),
            "documents": selectors.document_list_for_user(user=request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    instance = _profile_for_user(request.user) or CitizenProfile(user=request.user)
    form = CitizenProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # Two requests raced past the uniqueness check with the same NIK.
            form.add_error("nik", _("NIK ini sudah terdaftar pada akun lain."))
        else:
            messages.success(request, _("Profil tersimpan."))
            return redirect("portal:profile")
    return render(
        request, "portal/profile_edit.html", {"form": form}, status=400 if form.errors else 200
    )


def _get_document_for_user(request: HttpRequest, pk: int) -> CitizenDocument:
    # Another citizen's document is a 404, never a 403: its existence is not revealed.
    return get_object_or_404(CitizenDocument, pk=pk, owner=request.user)


@require_http_methods(["GET", "POST"])
@login_required
def document_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    document = _get_document_for_user(request, pk) if pk else None
    form = CitizenDocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        services.citizen_document_save(owner=request.user, document=document, **form.cleaned_data)
        messages.success(request, _("Dokumen tersimpan."))
        return redirect("portal:profile")
    return render(
        request,
        "portal/document_edit.html",
        {"form": form, "document": document},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_document_for_user(request, pk)
    services.citizen_document_delete(owner=request.user, document=document)
    messages.success(request, _("Dokumen dihapus."))
    return redirect("portal:profile")


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    activities = selectors.activity_list_for_user(user=request.user, limit=50)
    return render(request, "portal/activity_list.html", {"activities": activities})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health.check_all()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
