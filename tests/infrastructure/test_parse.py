"""Telemetry payload parsing: every accepted shape, every rejection reason, never raising."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infrastructure.ingest.parse import (
    DeviceInfo,
    Limits,
    ParseResult,
    device_key_from_topic,
    parse_message,
    parse_messages,
)

NOW = 1_780_000_000_000  # 2026-05-28, epoch ms
LIMITS = Limits(now_ms=NOW, max_skew_ms=300_000, max_age_ms=7 * 86_400_000, max_payload_bytes=4096)
DEVICES = {
    "dev-a": DeviceInfo(id=1, enabled=True, metrics={"strain": 11, "temp": 12}),
    "dev-off": DeviceInfo(id=2, enabled=False, metrics={"strain": 21}),
}
TOPIC = "portal/v1/devices/dev-a/telemetry"


def parse(payload, topic: str = TOPIC, received: int = NOW):
    return parse_message(topic, payload, received, lookup=DEVICES.get, limits=LIMITS)


def reasons(result) -> dict[str, int]:
    return {r.reason: r.count for r in result.rejections}


def test_ts_and_values_object_is_accepted():
    result = parse(b'{"ts": 1779999999000, "values": {"strain": 12.5, "temp": 30}}')
    assert sorted(result.readings) == [(11, 1779999999000, 12.5), (12, 1779999999000, 30.0)]
    assert result.rejections == []
    assert result.seen == {1: NOW}


def test_list_of_ts_objects_is_accepted():
    payload = json.dumps(
        [{"ts": NOW - 2000, "values": {"strain": 1}}, {"ts": NOW - 1000, "values": {"strain": 2}}]
    )
    assert parse(payload).readings == [(11, NOW - 2000, 1.0), (11, NOW - 1000, 2.0)]


def test_flat_object_takes_server_time():
    assert parse(b'{"strain": -3.25}', received=NOW - 5).readings == [(11, NOW - 5, -3.25)]


def test_values_without_ts_take_server_time():
    assert parse(b'{"values": {"temp": 1}}').readings == [(12, NOW, 1.0)]


def test_iso_timestamp_with_offset_is_accepted():
    result = parse('{"ts": "2026-05-28T08:06:40+07:00", "values": {"temp": 1}}')
    assert result.readings == [(12, 1779930400000, 1.0)]


def test_iso_timestamp_with_z_is_accepted():
    result = parse('{"ts": "2026-05-28T01:06:40.250Z", "values": {"temp": 1}}')
    assert result.readings == [(12, 1779930400250, 1.0)]


def test_str_payload_is_parsed_like_bytes():
    assert parse('{"strain": 1}').readings == parse(b'{"strain": 1}').readings


def test_invalid_json_is_bad_json():
    result = parse(b'{"strain": 1')
    assert result.readings == [] and reasons(result) == {"bad_json": 1}
    assert result.rejections[0].excerpt == '{"strain": 1'
    assert result.rejections[0].device_key == "dev-a"


def test_invalid_utf8_is_bad_json():
    assert reasons(parse(b'{"strain": "\xff"}')) == {"bad_json": 1}
    assert reasons(parse('{"strain": 1, "x": "\udcff"}')) == {"bad_json": 1}


def test_wrong_shapes_are_bad_shape():
    for payload in [
        b"42",
        b"null",
        b'"text"',
        b"[]",
        b"{}",
        b"[1, 2]",
        b'{"ts": 1, "strain": 2}',
        b'{"ts": 1, "values": {}}',
        b'{"ts": 1, "values": {"strain": 1}, "extra": 2}',
        b'{"ts": true, "values": {"strain": 1}}',
        b'{"ts": "yesterday", "values": {"strain": 1}}',
        b'{"ts": "2026-05-28T01:06:40", "values": {"strain": 1}}',
        b'{"ts": [1], "values": {"strain": 1}}',
    ]:
        result = parse(payload)
        assert result.readings == [], payload
        assert reasons(result) == {"bad_shape": 1}, payload


def test_oversized_payload_is_bad_shape():
    assert reasons(parse(b'{"strain": 1' + b" " * 5000 + b"}")) == {"bad_shape": 1}


def test_unknown_device_and_foreign_topics_are_unknown_device():
    assert reasons(parse(b'{"strain": 1}', topic="portal/v1/devices/nope/telemetry")) == {
        "unknown_device": 1
    }
    for topic in ["portal/v1/devices//telemetry", "other/topic", "portal/v1/devices/a/b/telemetry"]:
        assert reasons(parse(b'{"strain": 1}', topic=topic)) == {"unknown_device": 1}


def test_disabled_device_is_rejected():
    result = parse(b'{"strain": 1}', topic="portal/v1/devices/dev-off/telemetry")
    assert result.readings == [] and reasons(result) == {"disabled_device": 1}


def test_unknown_metric_rejects_only_itself():
    result = parse(b'{"strain": 1, "humidity": 50, "wind": 3}')
    assert result.readings == [(11, NOW, 1.0)]
    assert reasons(result) == {"unknown_metric": 2}


def test_non_numeric_values_reject_only_themselves():
    result = parse(b'{"ts": 1779999999000, "values": {"strain": "12", "temp": 4}}')
    assert result.readings == [(12, 1779999999000, 4.0)]
    assert reasons(result) == {"non_numeric": 1}
    for bad in [b"true", b"null", b"NaN", b"Infinity", b"[1]", b'{"v": 1}', b"1e999"]:
        assert reasons(parse(b'{"strain": ' + bad + b', "temp": 1}')) == {"non_numeric": 1}, bad


def test_future_timestamp_beyond_skew_is_rejected_but_within_skew_is_kept():
    payload = json.dumps(
        [
            {"ts": NOW + 299_000, "values": {"strain": 1}},
            {"ts": NOW + 301_000, "values": {"strain": 2}},
        ]
    )
    result = parse(payload)
    assert result.readings == [(11, NOW + 299_000, 1.0)]
    assert reasons(result) == {"ts_future": 1}


def test_too_old_timestamp_is_rejected():
    payload = json.dumps(
        [
            {"ts": NOW - 8 * 86_400_000, "values": {"strain": 1, "temp": 2}},
            {"ts": -5, "values": {"strain": 1}},
            {"ts": NOW - 1000, "values": {"strain": 3}},
        ]
    )
    result = parse(payload)
    assert result.readings == [(11, NOW - 1000, 3.0)]
    assert reasons(result) == {"ts_too_old": 2}


def test_a_bad_message_does_not_drop_the_good_ones_of_the_batch():
    result = parse_messages(
        [
            (TOPIC, b'{"strain": 1}', NOW),
            (TOPIC, b"garbage", NOW),
            ("portal/v1/devices/ghost/telemetry", b'{"strain": 1}', NOW),
            (TOPIC, b'{"temp": 2}', NOW + 1),
        ],
        lookup=DEVICES.get,
        limits=LIMITS,
    )
    assert result.readings == [(11, NOW, 1.0), (12, NOW + 1, 2.0)]
    assert reasons(result) == {"bad_json": 1, "unknown_device": 1}
    assert result.messages == 4
    assert result.seen == {1: NOW + 1}


def test_device_key_is_read_from_the_topic():
    assert device_key_from_topic("portal/v1/devices/dev-9/telemetry") == "dev-9"
    assert device_key_from_topic("portal/v1/devices/+/telemetry") is None
    assert device_key_from_topic("portal/v1/devices/" + "k" * 65 + "/telemetry") is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ts", "values", "strain", "temp", "x"]) | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    document=json_values,
    topic=st.sampled_from([TOPIC, "portal/v1/devices/dev-off/telemetry", "x/y"])
    | st.text(max_size=40),
    received=st.integers(min_value=-(2**62), max_value=2**62),
)
def test_parser_never_raises_on_random_json(document, topic, received):
    result = parse(json.dumps(document), topic=topic, received=received)
    for metric_id, ts, value in result.readings:
        assert metric_id in (11, 12) and isinstance(ts, int) and isinstance(value, float)
    assert all(r.reason for r in result.rejections)


@settings(max_examples=200, deadline=None)
@given(payload=st.binary(max_size=300))
def test_parser_never_raises_on_random_bytes(payload):
    result = parse(payload)
    assert result.readings or result.rejections


def _one_by_one(messages):
    """parse_messages' reference: every message through parse_message (no fast path)."""
    result = ParseResult()
    for topic, payload, received in messages:
        result.extend(parse_message(topic, payload, received, lookup=DEVICES.get, limits=LIMITS))
    return result


def _same(fast, reference):
    assert fast.readings == reference.readings
    assert fast.seen == reference.seen
    assert fast.messages == reference.messages
    assert [(r.reason, r.count, r.message, r.digest) for r in fast.rejections] == [
        (r.reason, r.count, r.message, r.digest) for r in reference.rejections
    ]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    documents=st.lists(
        json_values
        | st.fixed_dictionaries(
            {
                "ts": st.integers(min_value=NOW - 9 * 86_400_000, max_value=NOW + 10**6)
                | st.floats(allow_nan=True)
                | st.booleans(),
                "values": st.dictionaries(
                    st.sampled_from(["strain", "temp", "x"]),
                    st.integers(min_value=-(10**400), max_value=10**400)
                    | st.floats(allow_nan=True, allow_infinity=True)
                    | st.booleans()
                    | st.none(),
                    max_size=3,
                ),
            }
        ),
        max_size=6,
    ),
    topic=st.sampled_from([TOPIC, "portal/v1/devices/dev-off/telemetry", "x/y"]),
    as_text=st.booleans(),
    ensure_ascii=st.booleans(),
)
def test_the_batch_fast_path_gives_what_parse_message_gives(
    documents, topic, as_text, ensure_ascii
):
    # as_text: the payloads as the Celery task carries them (text, surrogate escapes).
    messages = []
    for index, document in enumerate(documents):
        payload = json.dumps(document, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
        if as_text:
            payload = payload.decode("utf-8", "surrogateescape")
        messages.append((topic, payload, NOW + index))
    _same(parse_messages(messages, lookup=DEVICES.get, limits=LIMITS), _one_by_one(messages))


def test_an_integer_too_large_for_a_float_is_rejected_not_raised():
    huge = str(10**400).encode()
    result = parse_messages(
        [
            (TOPIC, b'{"ts": %d, "values": {"strain": %s, "temp": 2}}' % (NOW, huge), NOW),
            (TOPIC, b'{"ts": %s, "values": {"strain": 1}}' % huge, NOW),
        ],
        lookup=DEVICES.get,
        limits=LIMITS,
    )
    assert result.readings == [(12, NOW, 2.0)]
    assert reasons(result) == {"non_numeric": 1, "bad_shape": 1}
