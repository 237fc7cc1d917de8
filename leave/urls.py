from __future__ import annotations

from django.urls import path

from leave import views

app_name = "leave"

urlpatterns = [
    path("", views.index, name="index"),
    path("ajukan/", views.apply, name="apply"),
    path("permohonan/<int:pk>/", views.request_detail, name="request_detail"),
    path("permohonan/<int:pk>/batal/", views.request_cancel, name="request_cancel"),
    path("permohonan/<int:pk>/putuskan/", views.request_decide, name="request_decide"),
    path(
        "permohonan/<int:pk>/bukti/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("persetujuan/", views.approvals, name="approvals"),
    path("tim/", views.team, name="team"),
    path("presensi/", views.attendance, name="attendance"),
    path("rekap/<int:year>-<int:month>.csv", views.recap_csv, name="recap_csv"),
    path("rekap/<int:year>-<int:month>.pdf", views.recap_pdf, name="recap_pdf"),
]
