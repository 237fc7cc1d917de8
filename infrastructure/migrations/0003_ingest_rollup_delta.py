# The rollup deltas table (infrastructure/ingest/rollups.py): raw SQL, no model, since
# only the writer and the compaction touch it. PostgreSQL only.

from django.db import migrations

from infrastructure.ingest import rollups


def create_delta_table(apps, schema_editor):
    rollups.create_table(schema_editor)


def drop_delta_table(apps, schema_editor):
    rollups.drop_table(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("infrastructure", "0002_projects_assets_inspections"),
    ]

    operations = [
        migrations.RunPython(create_delta_table, drop_delta_table),
    ]
