from __future__ import annotations

from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("", views.index, name="index"),
    path("poin/", views.points_history, name="points"),
    path("lencana/", views.badges, name="badges"),
    path("hadiah/", views.rewards, name="rewards"),
    path("hadiah/<int:pk>/tukar/", views.reward_redeem, name="reward_redeem"),
    path("peringkat/", views.leaderboard, name="leaderboard"),
    path("peringkat/ikut/", views.leaderboard_join, name="leaderboard_join"),
    path("peringkat/keluar/", views.leaderboard_leave, name="leaderboard_leave"),
]
