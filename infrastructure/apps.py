from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfrastructureConfig(AppConfig):
    name = "infrastructure"
    verbose_name = _("Proyek pembangunan, aset dan sensor")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from infrastructure import demo
        from infrastructure.models import ProgressReport, Project
        from portal.registry import NavLink, register_nav, register_seeder, register_verb

        register_nav(
            NavLink(_("Infrastruktur"), "infrastructure:index", roles=(), public=True, order=10)
        )
        register_verb("infrastructure.device_created", _("mendaftarkan perangkat sensor"))
        register_verb("infrastructure.device_secret_rotated", _("mengganti rahasia perangkat"))
        register_nav(
            NavLink(
                _("Kelola infrastruktur"),
                "infrastructure:manage",
                roles=("pejabat", "admin"),
                order=11,
            )
        )
        register_verb("infrastructure.project_created", _("mendaftarkan proyek pembangunan"))
        register_verb("infrastructure.project_updated", _("memperbarui data proyek"))
        register_verb("infrastructure.progress_reported", _("melaporkan kemajuan proyek"))
        register_verb("infrastructure.progress_corrected", _("mengoreksi laporan kemajuan"))
        register_verb("infrastructure.progress_deleted", _("menghapus laporan kemajuan"))
        register_verb("infrastructure.project_document_added", _("mengunggah berkas proyek"))
        register_verb("infrastructure.inspection_recorded", _("mencatat inspeksi aset"))
        register_seeder(demo.seed, order=30)
        # Who changed which figure of a project or a progress report, and why (reports).
        auditlog.register(Project)
        auditlog.register(ProgressReport)
