from __future__ import annotations

from django.urls import path

from infrastructure import views

app_name = "infrastructure"

urlpatterns = [
    path("", views.index, name="index"),
    path("aset/<slug:code>/", views.asset_detail, name="asset_detail"),
]
