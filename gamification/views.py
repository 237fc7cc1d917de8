from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gamification import selectors, services
from gamification.forms import LeaderboardOptInForm
from portal.models import CitizenProfile

HISTORY_PAGE_SIZE = 25


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "missions": selectors.missions_for_user(user=request.user),
        "balance": selectors.points_balance(user_id=request.user.pk),
        "streak": selectors.streak_for_user(user=request.user),
    }
    template = "gamification/index.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@require_GET
@login_required
def points_history(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.points_entries_for_user(user=request.user), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("halaman"))
    return render(
        request,
        "gamification/points.html",
        {"page": page, "balance": selectors.points_balance(user_id=request.user.pk)},
    )


@require_GET
@login_required
def badges(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "gamification/badges.html",
        {"cabinet": selectors.badge_cabinet_for_user(user=request.user)},
    )


def _rewards_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    return render(
        request,
        "gamification/rewards.html",
        {
            "rewards": selectors.rewards_available(),
            "redemptions": selectors.redemptions_for_user(user=request.user),
            "balance": selectors.points_balance(user_id=request.user.pk),
        },
        status=status,
    )


@require_GET
@login_required
def rewards(request: HttpRequest) -> HttpResponse:
    return _rewards_page(request)


@require_POST
@login_required
def reward_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        redemption = services.reward_redeem(user=request.user, reward_id=pk)
    except services.RedemptionError as error:
        messages.error(request, str(error))
        return _rewards_page(request, status=409)
    messages.success(
        request,
        _("Berhasil ditukar: %(reward)s. Kode voucher Anda: %(code)s")
        % {"reward": redemption.reward.name, "code": redemption.code},
    )
    return redirect("gamification:rewards")


def _leaderboard_page(
    request: HttpRequest, form: LeaderboardOptInForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.GET.get("lingkup", "semua")
    kelurahan = None
    if scope == "kelurahan":
        profile = (
            CitizenProfile.objects.filter(user=request.user).select_related("kelurahan").first()
        )
        kelurahan = profile.kelurahan if profile else None
    kelurahan_id = kelurahan.pk if kelurahan else None
    if scope == "kelurahan" and kelurahan is None:
        rows = []
    else:
        rows = selectors.leaderboard(kelurahan_id=kelurahan_id, me=request.user)
    optin = getattr(request.user, "leaderboard_optin", None)
    return render(
        request,
        "gamification/leaderboard.html",
        {
            "scope": scope,
            "kelurahan": kelurahan,
            "rows": rows,
            "optin": optin,
            "rank": selectors.leaderboard_rank(user=request.user, kelurahan_id=kelurahan_id)
            if optin and (scope != "kelurahan" or kelurahan)
            else None,
            "form": form
            or LeaderboardOptInForm(initial={"display_name": optin.display_name if optin else ""}),
        },
        status=status,
    )


@require_GET
@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    return _leaderboard_page(request)


@require_http_methods(["POST"])
@login_required
def leaderboard_join(request: HttpRequest) -> HttpResponse:
    form = LeaderboardOptInForm(request.POST)
    if form.is_valid():
        try:
            services.leaderboard_opt_in(
                user=request.user, display_name=form.cleaned_data["display_name"]
            )
        except ValidationError as error:
            form.add_error("display_name", error)
        else:
            messages.success(request, _("Anda tampil di papan peringkat."))
            return redirect("gamification:leaderboard")
    return _leaderboard_page(request, form=form, status=400)


@require_POST
@login_required
def leaderboard_leave(request: HttpRequest) -> HttpResponse:
    services.leaderboard_opt_out(user=request.user)
    messages.success(request, _("Anda tidak lagi tampil di papan peringkat."))
    return redirect("gamification:leaderboard")
