"""Role groups and the region table every profile form needs (not demo data)."""

import json
from pathlib import Path

from django.db import migrations

ROLES = ["warga", "pegawai", "atasan", "pejabat", "admin"]
REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.json"


def load(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Region = apps.get_model("portal", "Region")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    code, name = data["provinsi"]
    provinsi, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": 1})
    code, name = data["kabupaten"]
    kabupaten, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": 2, "parent": provinsi}
    )
    for kec_code, (kec_name, kelurahan_names) in data["kecamatan"].items():
        kecamatan, _ = Region.objects.get_or_create(
            code=kec_code, defaults={"name": kec_name, "level": 3, "parent": kabupaten}
        )
        for index, kel_name in enumerate(kelurahan_names, start=1):
            Region.objects.get_or_create(
                code=f"{kec_code}.{1000 + index}",
                defaults={"name": kel_name, "level": 4, "parent": kecamatan},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
