from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from portal import views

# Staff sign in to the admin through allauth, so its MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Portal Layanan Publik"
admin.site.site_title = "Portal Layanan Publik"
admin.site.index_title = "Administrasi"

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("dasbor/", views.dashboard, name="dashboard"),
        path("profil/", views.profile, name="profile"),
        path("profil/ubah/", views.profile_edit, name="profile_edit"),
        path("profil/dokumen/baru/", views.document_edit, name="document_add"),
        path("profil/dokumen/<int:pk>/", views.document_edit, name="document_edit"),
        path("profil/dokumen/<int:pk>/hapus/", views.document_delete, name="document_delete"),
        path("aktivitas/", views.activity_list, name="activity_list"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("akun/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Domain apps are included by string: portal never imports them.
    path("infrastruktur/alarm/", include("infrastructure.alarms.urls")),
    path("infrastruktur/", include("infrastructure.urls")),
    path("notifikasi/", include("notifications.urls")),
    path("", include("notifications.letters.urls")),
    path("cuti/", include("leave.urls")),
    path("belajar/", include("learning.urls")),
    path("misi/", include("gamification.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
