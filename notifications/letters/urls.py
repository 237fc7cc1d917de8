from __future__ import annotations

from django.urls import path

from notifications.letters import views

app_name = "letters"

urlpatterns = [
    path("surat/", views.letter_list, name="letter_list"),
    path("surat/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("verifikasi/", views.verify_upload, name="verify_upload"),
    path("verifikasi/log/checkpoint", views.log_checkpoint, name="log_checkpoint"),
    path("verifikasi/log/kunci-publik", views.log_public_key, name="log_public_key"),
    path("verifikasi/<str:public_id>/", views.verify_letter, name="verify_letter"),
    path("verifikasi/<str:public_id>/bukti.json", views.proof_bundle, name="proof_bundle"),
]
