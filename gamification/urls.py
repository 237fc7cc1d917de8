from __future__ import annotations

from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("", views.index, name="index"),
]
