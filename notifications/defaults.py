"""Default categories, notice templates (Indonesian and English) and reminder rules.

Installed by a data migration and by tests that flush the database; `install()` works
on the historical models a migration passes in, and never overwrites an admin's edits.
"""

from __future__ import annotations

CATEGORIES = [
    # key, name, description, transactional, default channels, order
    (
        "security",
        "Keamanan akun",
        "Masuk dari perangkat baru, perubahan sandi.",
        True,
        ["inbox", "email"],
        0,
    ),
    ("letters", "Surat resmi", "e-Surat dari pemerintah daerah.", True, ["inbox", "email"], 10),
    (
        "reminders",
        "Pengingat dokumen",
        "SIM, STNK, paspor, PBB, SPT, rekam KTP-el.",
        False,
        ["inbox", "email", "sms"],
        20,
    ),
    ("alarms", "Peringatan infrastruktur", "Alarm sensor dan aset.", False, ["inbox", "email"], 30),
    ("services", "Layanan", "Cuti, pelatihan dan layanan lain.", False, ["inbox", "email"], 40),
    (
        "announcements",
        "Pengumuman",
        "Kabar dan kampanye dari pemerintah daerah.",
        False,
        ["inbox", "email"],
        50,
    ),
]

_DOC_VARS = ["name", "document", "number", "expires_on", "days_left"]
_DOC_SAMPLE = {
    "name": "Siti Rahayu",
    "document": "SIM",
    "number": "12••••••789",
    "expires_on": "2026-06-30",
    "days_left": 7,
}

TEMPLATE_KEYS = [
    # key, category, variables, sample, description
    (
        "reminder.document",
        "reminders",
        _DOC_VARS,
        _DOC_SAMPLE,
        "Dokumen warga akan habis masa berlaku / jatuh tempo.",
    ),
    (
        "reminder.turning_17",
        "reminders",
        ["name", "birthday", "days_left"],
        {"name": "Dimas", "birthday": "2026-07-01", "days_left": 30},
        "Warga akan berusia 17 tahun: saatnya rekam KTP-el.",
    ),
    (
        "announcement.generic",
        "announcements",
        ["name", "title", "body"],
        {"name": "Siti", "title": "Jadwal layanan", "body": "Kantor tutup Senin."},
        "Pengumuman umum (kampanye).",
    ),
]

TEMPLATES = {
    ("reminder.document", "id"): {
        "subject": "{{ document }} Anda berakhir dalam {{ days_left }} hari",
        "body_text": (
            "Yth. {{ name }},\n\n{{ document }} Anda ({{ number }}) berlaku sampai / jatuh tempo "
            "{{ expires_on|date:'j F Y' }}, {{ days_left }} hari lagi. Segera urus perpanjangan atau "
            "pembayarannya agar tidak terkena denda.\n\nPortal Layanan Publik"
        ),
        "body_html": (
            "<p>Yth. {{ name }},</p><p><strong>{{ document }}</strong> Anda ({{ number }}) berlaku "
            "sampai / jatuh tempo <strong>{{ expires_on|date:'j F Y' }}</strong>, {{ days_left }} hari lagi. "
            "Segera urus perpanjangan atau pembayarannya agar tidak terkena denda.</p>"
        ),
        "sms_text": "{{ document }} Anda ({{ number }}) berakhir {{ expires_on|date:'j F Y' }} ({{ days_left }} hari lagi). Portal Layanan Publik",
    },
    ("reminder.document", "en"): {
        "subject": "Your {{ document }} ends in {{ days_left }} days",
        "body_text": (
            "Dear {{ name }},\n\nYour {{ document }} ({{ number }}) is valid until / due on "
            "{{ expires_on|date:'j F Y' }}, {{ days_left }} days from now. Please renew or pay it in time to "
            "avoid a fine.\n\nPortal Layanan Publik"
        ),
        "body_html": (
            "<p>Dear {{ name }},</p><p>Your <strong>{{ document }}</strong> ({{ number }}) is valid "
            "until / due on <strong>{{ expires_on|date:'j F Y' }}</strong>, {{ days_left }} days from now. "
            "Please renew or pay it in time to avoid a fine.</p>"
        ),
        "sms_text": "Your {{ document }} ({{ number }}) ends {{ expires_on|date:'j F Y' }} ({{ days_left }} days). Portal Layanan Publik",
    },
    ("reminder.turning_17", "id"): {
        "subject": "Sebentar lagi 17 tahun: saatnya rekam KTP-el",
        "body_text": (
            "Yth. {{ name }},\n\nAnda berusia 17 tahun pada {{ birthday|date:'j F Y' }} ({{ days_left }} hari "
            "lagi). Datanglah ke Disdukcapil atau kecamatan untuk merekam KTP-el.\n\n"
            "Portal Layanan Publik"
        ),
        "body_html": (
            "<p>Yth. {{ name }},</p><p>Anda berusia 17 tahun pada <strong>{{ birthday|date:'j F Y' }}</strong> "
            "({{ days_left }} hari lagi). Datanglah ke Disdukcapil atau kecamatan untuk merekam "
            "KTP-el.</p>"
        ),
        "sms_text": "Anda berusia 17 tahun pada {{ birthday|date:'j F Y' }}. Segera rekam KTP-el di Disdukcapil/kecamatan. Portal Layanan Publik",
    },
    ("reminder.turning_17", "en"): {
        "subject": "Turning 17 soon: time to record your KTP-el",
        "body_text": (
            "Dear {{ name }},\n\nYou turn 17 on {{ birthday|date:'j F Y' }} ({{ days_left }} days from now). "
            "Please visit Disdukcapil or your kecamatan office to record your KTP-el.\n\n"
            "Portal Layanan Publik"
        ),
        "body_html": (
            "<p>Dear {{ name }},</p><p>You turn 17 on <strong>{{ birthday|date:'j F Y' }}</strong> "
            "({{ days_left }} days from now). Please visit Disdukcapil or your kecamatan office "
            "to record your KTP-el.</p>"
        ),
        "sms_text": "You turn 17 on {{ birthday|date:'j F Y' }}. Please record your KTP-el at Disdukcapil. Portal Layanan Publik",
    },
    ("announcement.generic", "id"): {
        "subject": "{{ title }}",
        "body_text": "Yth. {{ name }},\n\n{{ body }}\n\nPortal Layanan Publik",
        "body_html": "<p>Yth. {{ name }},</p><p>{{ body|linebreaksbr }}</p>",
        "sms_text": "",
    },
    ("announcement.generic", "en"): {
        "subject": "{{ title }}",
        "body_text": "Dear {{ name }},\n\n{{ body }}\n\nPortal Layanan Publik",
        "body_html": "<p>Dear {{ name }},</p><p>{{ body|linebreaksbr }}</p>",
        "sms_text": "",
    },
}

RULES = [
    # name, subject, template key
    ("Pengingat SIM", "sim", "reminder.document"),
    ("Pengingat STNK", "stnk", "reminder.document"),
    ("Pengingat paspor", "paspor", "reminder.document"),
    ("Pengingat KTP-el WNA", "ktp_wna", "reminder.document"),
    ("Pengingat PBB", "pbb", "reminder.document"),
    ("Pengingat SPT Tahunan", "spt", "reminder.document"),
    ("Rekam KTP-el di usia 17", "turning_17", "reminder.turning_17"),
]
DEFAULT_OFFSETS = [30, 7, 1]


def install(*, Category, TemplateKey, NotificationTemplate, ReminderRule) -> None:
    categories = {}
    for key, name, description, transactional, channels, order in CATEGORIES:
        categories[key], _ = Category.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "description": description,
                "transactional": transactional,
                "default_channels": channels,
                "order": order,
            },
        )
    kinds = {}
    for key, category, variables, sample, description in TEMPLATE_KEYS:
        kinds[key], _ = TemplateKey.objects.get_or_create(
            key=key,
            defaults={
                "category": categories[category],
                "variables": variables,
                "sample_context": sample,
                "description": description,
            },
        )
    for (key, language), texts in TEMPLATES.items():
        NotificationTemplate.objects.get_or_create(
            template_key=kinds[key], language=language, defaults=texts
        )
    for name, subject, key in RULES:
        if not ReminderRule.objects.filter(subject=subject).exists():
            ReminderRule.objects.create(
                name=name, subject=subject, template_key=kinds[key], offsets=DEFAULT_OFFSETS
            )


def install_current() -> None:
    """install() with the current models (tests that flush the database use this)."""
    from notifications.models import Category, NotificationTemplate, ReminderRule, TemplateKey

    install(
        Category=Category,
        TemplateKey=TemplateKey,
        NotificationTemplate=NotificationTemplate,
        ReminderRule=ReminderRule,
    )
