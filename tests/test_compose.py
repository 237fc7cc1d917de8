"""Checks of the deployment files: docker-compose.yml, the Mosquitto configs and
scripts/ensure_services.sh.

Docker does not run on our machines, so the compose file is validated against the
compose-spec JSON schema (check-jsonschema) plus the cross-references the schema
cannot see. No test here touches the database.
"""

import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:  # PyYAML if installed, otherwise ruamel.yaml (a dependency of check-jsonschema)
    import yaml

    def load_yaml(text):
        return yaml.safe_load(text)

except ImportError:  # pragma: no cover - depends on the environment
    from ruamel.yaml import YAML

    def load_yaml(text):
        return YAML(typ="safe", pure=True).load(text)


REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
MOSQUITTO_CONF = REPO_ROOT / "deploy" / "mosquitto" / "mosquitto.conf"
MOSQUITTO_TEST_CONF = REPO_ROOT / "deploy" / "mosquitto" / "mosquitto-test.conf"
ENSURE_SERVICES = REPO_ROOT / "scripts" / "ensure_services.sh"

APP_ENV_VARS = ("DATABASE_URL", "REDIS_URL", "MQTT_URL")
MOSQUITTO_CONF_TARGET = "/mosquitto/config/mosquitto.conf"


# ------------------------------------------------------------------ helpers


def compose():
    return load_yaml(COMPOSE_FILE.read_text())


def services():
    return compose()["services"]


def depends_on_names(service):
    deps = service.get("depends_on") or {}
    return list(deps) if isinstance(deps, (list, dict)) else []


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return dict(env)


def command_args(service):
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def app_image():
    """The image name the app services share (the one built from the Dockerfile)."""
    built = {s.get("image") for s in services().values() if "build" in s}
    assert len(built) == 1, f"expected one image name for the built services, got {built}"
    return built.pop()


def app_services():
    image = app_image()
    return {
        name: svc for name, svc in services().items() if "build" in svc or svc.get("image") == image
    }


def mosquitto_settings(path):
    """Parse a mosquitto.conf into {option: [values...]} (options may repeat)."""
    settings = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        settings.setdefault(key, []).append(value.strip())
    return settings


def mounted_mosquitto_conf():
    svc = services()["mosquitto"]
    for volume in svc.get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source"), volume.get("target")
        else:
            parts = volume.split(":")
            source, target = parts[0], parts[1] if len(parts) > 1 else None
        if target == MOSQUITTO_CONF_TARGET:
            return (COMPOSE_FILE.parent / source).resolve()
    pytest.fail(f"the mosquitto service mounts nothing at {MOSQUITTO_CONF_TARGET}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mosquitto_binary():
    found = shutil.which("mosquitto")
    if found:
        return found
    if Path("/usr/sbin/mosquitto").exists():  # Debian puts it outside a user's PATH
        return "/usr/sbin/mosquitto"
    return None


# ------------------------------------------------------------ (a) the schema


def test_compose_file_matches_compose_spec_schema():
    exe = Path(sys.executable).parent / "check-jsonschema"
    assert exe.exists(), f"check-jsonschema not installed next to {sys.executable}"
    result = subprocess.run(
        [str(exe), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"check-jsonschema failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


# ----------------------------------------------------- (b) cross-references


def test_compose_has_no_obsolete_version_key():
    assert "version" not in compose()


def test_every_depends_on_target_exists():
    all_services = services()
    missing = {
        (name, dep)
        for name, svc in all_services.items()
        for dep in depends_on_names(svc)
        if dep not in all_services
    }
    assert not missing, f"depends_on names unknown services: {sorted(missing)}"


def test_service_healthy_only_on_services_with_a_healthcheck():
    all_services = services()
    for name, svc in all_services.items():
        deps = svc.get("depends_on") or {}
        if not isinstance(deps, dict):
            continue
        for dep, spec in deps.items():
            if (spec or {}).get("condition") == "service_healthy":
                assert "healthcheck" in all_services[dep], (
                    f"{name} waits for {dep} to be healthy, but {dep} has no healthcheck"
                )


def test_expected_services_exist():
    expected = {"postgres", "redis", "mosquitto", "migrate", "web", "worker", "beat", "ingest"}
    assert expected <= set(services())


def test_app_services_have_connection_urls():
    apps = app_services()
    assert {"web", "worker", "beat", "ingest", "migrate"} <= set(apps)
    for name, svc in apps.items():
        env = environment(svc)
        missing = [var for var in APP_ENV_VARS if not env.get(var)]
        assert not missing, f"{name} lacks {missing}"


def test_long_running_app_services_wait_for_migrate():
    for name in ("web", "worker", "beat", "ingest"):
        deps = services()[name].get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        assert deps.get("migrate", {}).get("condition") == "service_completed_successfully", name


def test_ingest_can_be_scaled():
    ingest = services()["ingest"]
    assert "container_name" not in ingest
    assert "ports" not in ingest


def test_redis_uses_append_only_file():
    args = command_args(services()["redis"])
    assert "--appendonly" in args, args
    assert args[args.index("--appendonly") + 1] == "yes", args


def test_mounted_mosquitto_conf_keeps_messages():
    conf = mounted_mosquitto_conf()
    assert conf == MOSQUITTO_CONF.resolve()
    settings = mosquitto_settings(conf)
    assert int(settings["max_queued_messages"][-1]) >= 100_000
    assert settings["persistence"][-1] == "true"


def test_mosquitto_test_conf_is_loopback_and_safe_under_daemon_mode():
    settings = mosquitto_settings(MOSQUITTO_TEST_CONF)
    assert settings["listener"] == ["1883 127.0.0.1"]
    assert settings["allow_anonymous"] == ["true"]
    assert int(settings["max_queued_messages"][-1]) >= 100_000
    # A pid_file or a log file in a root-owned folder makes `mosquitto -d` exit silently.
    assert "pid_file" not in settings
    assert not any(v.startswith("file") for v in settings.get("log_dest", []))


def test_ensure_services_script_parses():
    result = subprocess.run(
        ["bash", "-n", str(ENSURE_SERVICES)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------- (c) the test broker config really starts

# MQTT 3.1.1 CONNECT, clean session, keep-alive 60 s, client id "compose-test".
_CLIENT_ID = b"compose-test"
_VARIABLE_HEADER = b"\x00\x04MQTT\x04\x02\x00\x3c"
_PAYLOAD = len(_CLIENT_ID).to_bytes(2, "big") + _CLIENT_ID
MQTT_CONNECT = bytes([0x10, len(_VARIABLE_HEADER) + len(_PAYLOAD)]) + _VARIABLE_HEADER + _PAYLOAD
MQTT_CONNACK_ACCEPTED = b"\x20\x02\x00\x00"


def test_mosquitto_test_conf_starts_a_working_broker(tmp_path):
    binary = mosquitto_binary()
    if binary is None:
        pytest.skip("mosquitto binary not installed")

    port = free_port()
    text, count = re.subn(
        r"^listener 1883 127\.0\.0\.1$",
        f"listener {port} 127.0.0.1",
        MOSQUITTO_TEST_CONF.read_text(),
        flags=re.MULTILINE,
    )
    assert count == 1, "mosquitto-test.conf must contain 'listener 1883 127.0.0.1'"
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(text)
    conf.chmod(0o644)  # readable if mosquitto drops privileges before reading it

    proc = subprocess.Popen(
        [binary, "-c", str(conf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        sock = None
        while sock is None:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"mosquitto exited with {proc.returncode}:\n{out}\n{err}")
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"mosquitto did not listen on 127.0.0.1:{port} within 10 s")
                time.sleep(0.1)
        with sock:
            # A real MQTT handshake: proves the listener speaks MQTT and that
            # anonymous clients are accepted (Mosquitto 2 refuses them by default).
            sock.settimeout(5)
            sock.sendall(MQTT_CONNECT)
            reply = b""
            while len(reply) < 4:
                chunk = sock.recv(4 - len(reply))
                if not chunk:
                    break
                reply += chunk
            assert reply == MQTT_CONNACK_ACCEPTED, f"unexpected CONNACK {reply!r}"
            sock.sendall(b"\xe0\x00")  # DISCONNECT
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
