from django.db import migrations


def forwards(apps, schema_editor):
    from notifications.defaults import install

    install(
        Category=apps.get_model("notifications", "Category"),
        TemplateKey=apps.get_model("notifications", "TemplateKey"),
        NotificationTemplate=apps.get_model("notifications", "NotificationTemplate"),
        ReminderRule=apps.get_model("notifications", "ReminderRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
