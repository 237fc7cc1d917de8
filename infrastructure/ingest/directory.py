"""The ingest process's copy of the device registry: key -> id, enabled, metric ids.

Looked up for every message, so it is cached in-process and refreshed in bulk (two
queries for all the keys of a batch that are missing or stale). A device disabled or a
metric added in the admin takes effect within INFRA_DEVICE_CACHE_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from infrastructure import conf
from infrastructure.ingest.parse import DeviceInfo
from infrastructure.models import Device, Metric

_CHUNK = 1000


class DeviceDirectory:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, DeviceInfo | None]] = {}

    def clear(self) -> None:
        self._entries.clear()

    def prime(self, keys: Iterable[str]) -> None:
        ttl = conf.device_cache_seconds()
        now = time.monotonic()
        stale = [
            key
            for key in set(keys)
            if key not in self._entries or now - self._entries[key][0] > ttl
        ]
        for start in range(0, len(stale), _CHUNK):
            chunk = stale[start : start + _CHUNK]
            rows = Device.objects.filter(key__in=chunk).values_list("key", "id", "enabled")
            devices = {key: device_id for key, device_id, _enabled in rows}
            enabled = {key: is_enabled for key, _id, is_enabled in rows}
            metrics: dict[int, dict[str, int]] = {device_id: {} for device_id in devices.values()}
            for metric_id, device_id, name in Metric.objects.filter(
                device_id__in=list(devices.values())
            ).values_list("id", "device_id", "name"):
                metrics[device_id][name] = metric_id
            for key in chunk:
                device_id = devices.get(key)
                info = (
                    None
                    if device_id is None
                    else DeviceInfo(id=device_id, enabled=enabled[key], metrics=metrics[device_id])
                )
                self._entries[key] = (now, info)

    def lookup(self, key: str) -> DeviceInfo | None:
        entry = self._entries.get(key)
        return entry[1] if entry else None


directory = DeviceDirectory()
