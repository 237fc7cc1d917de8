"""The 'letter.issued' notice the notifications app sends when a letter is issued.

Installed by this app's migration (and by tests that flush the database); it never
overwrites texts an admin has edited.
"""

from __future__ import annotations

KEY = "letter.issued"
VARIABLES = ["name", "number", "subject", "issuer", "url", "verify_url"]
SAMPLE = {
    "name": "Siti Rahayu",
    "number": "800.1.11.1/0042/BKPSDM/2026",
    "subject": "Pemberitahuan hasil seleksi",
    "issuer": "Badan Kepegawaian dan Pengembangan SDM",
    "url": "https://portal.example.go.id/surat/",
    "verify_url": "https://portal.example.go.id/verifikasi/abc/",
}
TEXTS = {
    "id": {
        "subject": "Surat resmi baru: {{ subject }}",
        "body_text": (
            "Yth. {{ name }},\n\n{{ issuer }} menerbitkan surat nomor {{ number }} perihal "
            "{{ subject }} untuk Anda. Buka surat Anda di {{ url }}\n\nKeaslian surat dapat "
            "diperiksa siapa saja di {{ verify_url }}\n\nPortal Layanan Publik"
        ),
        "body_html": (
            "<p>Yth. {{ name }},</p><p>{{ issuer }} menerbitkan surat nomor "
            "<strong>{{ number }}</strong> perihal {{ subject }} untuk Anda.</p>"
            '<p><a href="{{ url }}">Buka surat Anda</a></p>'
            '<p>Keaslian surat dapat diperiksa di <a href="{{ verify_url }}">halaman verifikasi</a>.</p>'
        ),
        "sms_text": "",
    },
    "en": {
        "subject": "New official letter: {{ subject }}",
        "body_text": (
            "Dear {{ name }},\n\n{{ issuer }} issued letter {{ number }} about {{ subject }} to "
            "you. Open your letters at {{ url }}\n\nAnyone can check the letter at "
            "{{ verify_url }}\n\nPortal Layanan Publik"
        ),
        "body_html": (
            "<p>Dear {{ name }},</p><p>{{ issuer }} issued letter <strong>{{ number }}</strong> "
            'about {{ subject }} to you.</p><p><a href="{{ url }}">Open your letters</a></p>'
            '<p>Anyone can check it on the <a href="{{ verify_url }}">verification page</a>.</p>'
        ),
        "sms_text": "",
    },
}


def install(*, Category, TemplateKey, NotificationTemplate) -> None:
    category = Category.objects.filter(key="letters").first()
    if category is None:
        return
    kind, _created = TemplateKey.objects.get_or_create(
        key=KEY,
        defaults={
            "category": category,
            "variables": VARIABLES,
            "sample_context": SAMPLE,
            "description": "Surat resmi (e-Surat) diterbitkan untuk penerima.",
        },
    )
    for language, texts in TEXTS.items():
        NotificationTemplate.objects.get_or_create(
            template_key=kind, language=language, defaults=texts
        )


def install_current() -> None:
    from notifications.models import Category, NotificationTemplate, TemplateKey

    install(Category=Category, TemplateKey=TemplateKey, NotificationTemplate=NotificationTemplate)
