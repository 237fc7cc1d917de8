from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("tandai-dibaca/", views.mark_all_read, name="mark_all_read"),
    path("lencana/", views.badge, name="badge"),
    path("pengaturan/", views.preferences, name="preferences"),
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
