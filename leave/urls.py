from __future__ import annotations

from django.urls import path

from leave import views

app_name = "leave"

urlpatterns = [
    path("", views.index, name="index"),
]
