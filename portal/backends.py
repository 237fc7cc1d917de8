"""Authentication backend that loads a signed-in user's roles and MFA state with the user.

Every signed-in page needs the user's roles (navigation, MFA enforcement, dashboard
cards) and, for staff, whether they enrolled a second factor (StaffMFARequiredMiddleware):
reading them in the same query as the user saves two queries per page. Building that
query through the ORM cost more CPU than running it, so its SQL is compiled once per
process and database alias and then run with the user's id.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Exists, OuterRef, QuerySet, StringAgg, Value

_SEPARATOR = "\x1f"  # cannot occur in a group name typed in the admin
# A placeholder id, found again among the compiled query's parameters.
_PLACEHOLDER_ID = -7_312_904_551


def _user_query(user_id) -> QuerySet:
    return (
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .annotate(
            role_list=StringAgg("groups__name", Value(_SEPARATOR)),
            # allauth's is_mfa_enabled(): any authenticator at all.
            mfa_enabled=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))),
        )
    )


_compiled: dict[str, tuple[str, tuple, int]] = {}


def _compiled_query(alias: str) -> tuple[str, tuple, int]:
    if alias not in _compiled:
        sql, params = _user_query(_PLACEHOLDER_ID).query.get_compiler(alias).as_sql()
        _compiled[alias] = (sql, tuple(params), list(params).index(_PLACEHOLDER_ID))
    return _compiled[alias]


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user_id = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # a tampered session: nobody is signed in
            return None
        alias = router.db_for_read(user_model)
        sql, params, position = _compiled_query(alias)
        params = (*params[:position], user_id, *params[position + 1 :])
        user = next(iter(user_model._default_manager.db_manager(alias).raw(sql, params)), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        # The instance cache User.role_names reads.
        user._role_names = frozenset(filter(None, (user.role_list or "").split(_SEPARATOR)))
        user.mfa_enabled = bool(user.mfa_enabled)
        return user
