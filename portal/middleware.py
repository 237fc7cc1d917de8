from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a staff member without MFA may still open: the MFA setup itself, account
# pages (logout, email confirmation), the language switch, health and static files.
_OPEN_PREFIXES = ("/akun/", "/i18n/", "/healthz", "/static/", "/media/", "/verifikasi/")


def _mfa_enabled(user) -> bool:
    # portal.backends.ModelBackend read it with the user; other backends did not.
    loaded = getattr(user, "mfa_enabled", None)
    return is_mfa_enabled(user) if loaded is None else loaded


class StaffMFARequiredMiddleware:
    """Staff roles (pegawai, atasan, pejabat, admin, Django staff) must enrol TOTP first.

    allauth asks for the second factor at login once one is set up; this makes
    setting it up compulsory before any other page can be used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_role
            and not request.path.startswith(_OPEN_PREFIXES)
            and not _mfa_enabled(user)
        ):
            return redirect(reverse("mfa_activate_totp", query={"next": request.get_full_path()}))
        return self.get_response(request)
