"""Device authentication at the MQTT broker: Mosquitto password and ACL files.

A device connects with its key as the MQTT username and its secret as the password; the
ACL lets it publish only to its own telemetry topic (`portal/v1/devices/<key>/telemetry`),
so one leaked secret cannot forge another device's readings. The ingester itself is an
ordinary broker user (the user and password in MQTT_URL) allowed to read all telemetry.

The password file uses Mosquitto 2's own format (`$7$`: PBKDF2-HMAC-SHA512), computed
when a secret is made or rotated; the portal never keeps the secret itself. Device
secrets are 256-bit random tokens, so Mosquitto's default 101 iterations are plenty:
there is nothing to brute-force.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

TELEMETRY_TOPIC = "portal/v1/devices/{key}/telemetry"
MOSQUITTO_ITERATIONS = 101


def mosquitto_password_hash(password: str, *, salt: bytes | None = None) -> str:
    """The `$7$iterations$salt$hash` string `mosquitto_passwd` writes for this password."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    derived = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, MOSQUITTO_ITERATIONS)
    salt_b64, derived_b64 = base64.b64encode(salt).decode(), base64.b64encode(derived).decode()
    return f"$7${MOSQUITTO_ITERATIONS}${salt_b64}${derived_b64}"


def password_file_text(
    devices: Iterable[tuple[str, str]], *, service_users: Iterable[tuple[str, str]] = ()
) -> str:
    """Lines `user:hash` for (device key, stored hash) pairs and (user, password) services."""
    lines = [f"{key}:{password_hash}" for key, password_hash in devices if password_hash]
    lines += [f"{user}:{mosquitto_password_hash(password)}" for user, password in service_users]
    return "".join(f"{line}\n" for line in lines)


def acl_text(*, reader_users: Iterable[str] = ()) -> str:
    """Devices write only their own topic (`%u` is the username); readers read all telemetry."""
    parts = [
        "# Written by `manage.py mqtt_auth_files`; do not edit by hand.\n",
        "# Each device may publish only to its own telemetry topic.\n",
        "pattern write " + TELEMETRY_TOPIC.format(key="%u") + "\n",
    ]
    for user in reader_users:
        parts += [f"\nuser {user}\n", "topic read " + TELEMETRY_TOPIC.format(key="+") + "\n"]
    return "".join(parts)


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one rename, so the broker never reads a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o640)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
