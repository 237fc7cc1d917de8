"""manage.py mqtt_auth_files: write Mosquitto's password and ACL files from the devices."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infrastructure import conf
from infrastructure.ingest.mqtt import parse_mqtt_url
from infrastructure.models import Device
from infrastructure.mqtt_auth import acl_text, password_file_text, write_atomically


class Command(BaseCommand):
    help = (
        "Tulis berkas kata sandi dan ACL Mosquitto: tiap perangkat aktif masuk dengan kuncinya "
        "dan rahasianya dan hanya boleh menerbitkan ke topiknya sendiri; pengguna MQTT_URL "
        "(ingester) boleh membaca semua telemetri. Kirim SIGHUP ke Mosquitto sesudahnya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password-file", required=True, type=Path)
        parser.add_argument("--acl-file", required=True, type=Path)

    def handle(self, *args, **options):
        service_users = []
        url = conf.mqtt_url()
        if url:
            broker = parse_mqtt_url(url)
            if broker.username and broker.password:
                service_users.append((broker.username, broker.password))
        if not service_users:
            raise CommandError(
                "MQTT_URL harus memuat pengguna dan kata sandi ingester "
                "(mqtt://pengguna:sandi@host:1883) agar ingester boleh membaca telemetri."
            )
        devices = list(
            Device.objects.filter(enabled=True)
            .exclude(mqtt_password_hash="")
            .order_by("key")
            .values_list("key", "mqtt_password_hash")
        )
        write_atomically(
            options["password_file"], password_file_text(devices, service_users=service_users)
        )
        write_atomically(options["acl_file"], acl_text(reader_users=[u for u, _ in service_users]))
        self.stdout.write(
            f"mqtt_auth_files: {len(devices)} perangkat, {len(service_users)} pengguna layanan"
        )
