from __future__ import annotations

from django.urls import path

from infrastructure.alarms import views

app_name = "infra_alarms"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/terima/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/tutup/", views.clear, name="clear"),
]
