from __future__ import annotations

from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("saya/", views.mine, name="mine"),
    path("kursus/<slug:slug>/", views.course, name="course"),
    path("kursus/<slug:slug>/daftar/", views.course_enrol, name="enrol"),
    path("kursus/<slug:slug>/materi/<int:lesson_id>/", views.lesson, name="lesson"),
    path(
        "kursus/<slug:slug>/materi/<int:lesson_id>/selesai/",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path(
        "kursus/<slug:slug>/materi/<int:lesson_id>/berkas/", views.lesson_file, name="lesson_file"
    ),
    path("kursus/<slug:slug>/kuis/<int:quiz_id>/", views.quiz, name="quiz"),
    path("percobaan/<int:attempt_id>/", views.attempt, name="attempt"),
    path("percobaan/<int:attempt_id>/hasil/", views.attempt_result, name="attempt_result"),
    path("jp/", views.jp_wallet, name="jp_wallet"),
    path("jp/tambah/", views.jp_add, name="jp_add"),
    path("jp/ekspor.csv", views.jp_export, name="jp_export"),
    path("jp/<int:entry_id>/bukti/", views.jp_evidence, name="jp_evidence"),
    path("jp/<int:entry_id>/putuskan/", views.jp_decide, name="jp_decide"),
    path("unit/", views.leader, name="leader"),
    path("unit/ekspor.csv", views.leader_export, name="leader_export"),
    path("unit/pegawai/<int:employee_id>/", views.leader_employee, name="leader_employee"),
]
