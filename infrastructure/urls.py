from __future__ import annotations

from django.urls import path

from infrastructure import manage_views, views

app_name = "infrastructure"

urlpatterns = [
    path("", views.index, name="index"),
    path("aset/<slug:code>/", views.asset_detail, name="asset_detail"),
    path("proyek/<slug:code>/", views.project_detail, name="project_detail"),
    path("proyek/<slug:code>/berkas/<int:pk>/", views.project_file, name="project_file"),
    path("proyek/<slug:code>/oc4ids.json", views.project_oc4ids, name="project_oc4ids"),
    path("inspeksi/foto/<int:pk>/", views.inspection_photo, name="inspection_photo"),
    path("sensor/<int:metric_id>/", views.metric_history, name="metric_history"),
    # Open data
    path("data/", views.open_data, name="open_data"),
    path("data/proyek.<str:fmt>", views.export_projects, name="export_projects"),
    path("data/proyek-oc4ids.json", views.export_oc4ids, name="export_oc4ids"),
    path("data/aset.<str:fmt>", views.export_assets, name="export_assets"),
    path("data/bacaan.<str:fmt>", views.export_readings, name="export_readings"),
    # Officials
    path("kelola/", manage_views.home, name="manage"),
    path("kelola/proyek/baru/", manage_views.project_edit, name="manage_project_create"),
    path("kelola/proyek/<slug:code>/", manage_views.project_manage, name="manage_project"),
    path("kelola/proyek/<slug:code>/ubah/", manage_views.project_edit, name="manage_project_edit"),
    path(
        "kelola/proyek/<slug:code>/berkas/",
        manage_views.project_documents,
        name="manage_project_documents",
    ),
    path(
        "kelola/proyek/<slug:code>/laporan/<int:pk>/",
        manage_views.report_correct,
        name="manage_report",
    ),
    path(
        "kelola/proyek/<slug:code>/laporan/<int:pk>/hapus/",
        manage_views.report_delete,
        name="manage_report_delete",
    ),
    path(
        "kelola/aset/<slug:code>/inspeksi/", manage_views.inspection_add, name="manage_inspection"
    ),
    path("kelola/prioritas/", manage_views.priority, name="manage_priority"),
    path("kelola/prioritas.csv", manage_views.priority_csv, name="manage_priority_csv"),
    path("kelola/perangkat/", manage_views.devices, name="manage_devices"),
    path(
        "kelola/perangkat/<int:pk>/rotasi/", manage_views.device_rotate, name="manage_device_rotate"
    ),
]
