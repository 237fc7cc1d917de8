"""Asset condition per kind, inspections, maintenance priority and device keys."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from infrastructure import condition, selectors, services
from infrastructure.models import Asset, Device, Inspection, InspectionPhoto
from portal.models import Activity
from tests.infrastructure.factories import AssetFactory, DeviceFactory
from tests.infrastructure.project_factories import UnitFactory, fake_exe, png


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


# --- Scales ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "badness"),
    [
        ("bridge", 0, 0.0),
        ("bridge", 5, 1.0),
        ("bridge", 3, 0.6),
        ("road", 100, 0.0),
        ("road", 0, 1.0),
        ("road", 40, 0.6),
        ("drainage", 1, 0.0),
        ("street_light", 5, 1.0),
        ("building", 3, 0.5),
    ],
)
def test_each_kind_keeps_its_own_scale_normalised_to_badness(kind, value, badness):
    assert condition.scale_for(kind).badness(value) == pytest.approx(badness)


@pytest.mark.parametrize(
    ("kind", "value"), [("bridge", 6), ("bridge", -1), ("road", 101), ("drainage", 0)]
)
def test_a_value_off_the_kinds_scale_is_refused(kind, value):
    assert "Nilai kondisi untuk" in condition.scale_for(kind).error(value)


def test_the_sql_ranking_agrees_with_the_python_formula(db):
    specs = [("bridge", 3, 5, 4), ("road", 40, 4, 5), ("drainage", 4, 4, 2), ("building", 2, 1, 1)]
    for kind, value, criticality, traffic in specs:
        AssetFactory(kind=kind, condition=value, criticality=criticality, traffic_weight=traffic)
    for asset in selectors.maintenance_priority():
        assert asset.score == pytest.approx(asset.priority_score)
        assert asset.badness == pytest.approx(asset.condition_badness)


def test_priority_ranks_worst_condition_times_importance_first(db):
    quiet_bad = AssetFactory(
        name="Jembatan desa rusak", kind="bridge", condition=4, criticality=1, traffic_weight=1
    )  # 0.8
    busy_fair = AssetFactory(
        name="Jalan utama sedang", kind="road", condition=60, criticality=5, traffic_weight=5
    )  # 0.4 * 25 = 10
    busy_bad = AssetFactory(
        name="Jembatan utama rusak", kind="bridge", condition=3, criticality=5, traffic_weight=4
    )  # 0.6 * 20 = 12
    AssetFactory(name="Belum diinspeksi", condition=None)
    ranking = list(selectors.maintenance_priority())
    assert ranking == [busy_bad, busy_fair, quiet_bad]
    assert ranking[0].score == pytest.approx(12)


# --- Inspections ------------------------------------------------------------------------


def test_an_inspection_updates_the_assets_condition_and_records_the_activity(pejabat, pupr):
    asset = AssetFactory(kind="bridge", agency=pupr)
    inspection = services.inspection_record(
        asset=asset,
        inspector=pejabat,
        inspected_on=_days_ago(1),
        findings="Retak pada pilar.",
        condition=3,
        photos=[png()],
    )
    asset.refresh_from_db()
    assert asset.condition == 3 and asset.condition_assessed_on == _days_ago(1)
    assert asset.condition_label == "rusak ringan"
    assert inspection.photos.get().content_type == "image/png"
    assert Activity.objects.filter(
        actor=pejabat, verb="infrastructure.inspection_recorded"
    ).exists()


def test_a_back_dated_inspection_does_not_override_a_newer_condition(pejabat):
    asset = AssetFactory(kind="road")
    services.inspection_record(
        asset=asset, inspector=pejabat, inspected_on=_days_ago(2), findings="Baru", condition=70
    )
    services.inspection_record(
        asset=asset,
        inspector=pejabat,
        inspected_on=_days_ago(30),
        findings="Catatan lama",
        condition=90,
    )
    asset.refresh_from_db()
    assert asset.condition == 70
    assert Inspection.objects.filter(asset=asset).count() == 2


@pytest.mark.parametrize(("kind", "value"), [("bridge", 7), ("road", 120), ("building", 0.5)])
def test_an_inspection_off_the_scale_writes_nothing(pejabat, kind, value):
    asset = AssetFactory(kind=kind)
    with pytest.raises(ValidationError) as error:
        services.inspection_record(
            asset=asset, inspector=pejabat, inspected_on=_days_ago(1), findings="x", condition=value
        )
    assert "Nilai kondisi untuk" in str(error.value)
    asset.refresh_from_db()
    assert asset.condition is None and not Inspection.objects.exists()


def test_a_bad_photo_refuses_the_whole_inspection(pejabat):
    asset = AssetFactory(kind="bridge")
    with pytest.raises(ValidationError):
        services.inspection_record(
            asset=asset,
            inspector=pejabat,
            inspected_on=_days_ago(1),
            findings="x",
            condition=1,
            photos=[png(), fake_exe("foto.png")],
        )
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()


def _inspection_form(**overrides):
    return {
        "inspected_on": _days_ago(1).isoformat(),
        "condition": "2",
        "findings": "Baik.",
        **overrides,
    }


def test_an_official_records_an_inspection_through_the_page(client, pejabat, pupr):
    asset = AssetFactory(kind="bridge", agency=pupr)
    client.force_login(pejabat)
    url = reverse("infrastructure:manage_inspection", args=[asset.code])
    page = client.get(url).content.decode()
    assert "IBMS" in page  # the scale is explained next to the field
    response = client.post(url, {**_inspection_form(), "photos": [png()]})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.condition == 2
    public = client.get(reverse("infrastructure:asset_detail", args=[asset.code])).content.decode()
    assert "Riwayat inspeksi" in public and "Baik." in public


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"condition": "9"}, "harus antara 0 dan 5"),
        ({"inspected_on": "2999-01-01"}, "Tanggal inspeksi tidak boleh di masa depan."),
    ],
)
def test_a_bad_inspection_shows_a_message(client, pejabat, pupr, overrides, message):
    asset = AssetFactory(kind="bridge", agency=pupr)
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_inspection", args=[asset.code]),
        _inspection_form(**overrides),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_official_cannot_inspect_another_units_asset(client, pejabat):
    asset = AssetFactory(agency=UnitFactory(code="DISHUB"))
    client.force_login(pejabat)
    response = client.post(
        reverse("infrastructure:manage_inspection", args=[asset.code]), _inspection_form()
    )
    assert response.status_code == 404 and not Inspection.objects.exists()


def test_an_anonymous_visitor_cannot_record_an_inspection(client, db):
    asset = AssetFactory()
    response = client.post(
        reverse("infrastructure:manage_inspection", args=[asset.code]), _inspection_form()
    )
    assert response.status_code == 302 and not Inspection.objects.exists()


# --- Priority page --------------------------------------------------------------------


def test_the_priority_page_explains_the_formula_and_exports_csv(client, pejabat):
    AssetFactory(name="Jembatan A", kind="bridge", condition=4, criticality=5, traffic_weight=5)
    AssetFactory(name="Jalan B", kind="road", condition=90, criticality=2, traffic_weight=2)
    client.force_login(pejabat)
    page = client.get(reverse("infrastructure:manage_priority")).content.decode()
    assert "skor = tingkat kerusakan \u00d7 kepentingan \u00d7 bobot lalu lintas" in page
    assert page.index("Jembatan A") < page.index("Jalan B")
    response = client.get(reverse("infrastructure:manage_priority_csv"))
    assert response.streaming
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [row["name"] for row in rows] == ["Jembatan A", "Jalan B"]
    assert rows[0]["rank"] == "1" and rows[0]["priority_score"] == "20.0"


@pytest.mark.parametrize("count", [2, 20])
def test_priority_page_query_count_does_not_grow_with_assets(client, pejabat, count):
    for number in range(count):
        AssetFactory(kind="road", condition=number, kelurahan=None)
    client.force_login(pejabat)
    client.get(reverse("infrastructure:manage_priority"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("infrastructure:manage_priority"))
    assert response.content.decode().count("<tr>") == count + 1
    # session, user, MFA check, roles, unit of the official, the ranking itself
    assert len(queries) <= 8


def test_citizens_cannot_see_the_priority_page(client, alice):
    client.force_login(alice)
    assert client.get(reverse("infrastructure:manage_priority")).status_code == 403
    assert client.get(reverse("infrastructure:manage_priority_csv")).status_code == 403


# --- Device keys ---------------------------------------------------------------------


def test_an_official_sees_only_their_units_devices(client, pejabat, pupr):
    mine = DeviceFactory(name="Sensor milik PUPR", asset=AssetFactory(agency=pupr))
    DeviceFactory(name="Sensor milik Dishub", asset=AssetFactory(agency=UnitFactory(code="DISHUB")))
    client.force_login(pejabat)
    page = client.get(reverse("infrastructure:manage_devices")).content.decode()
    assert mine.name in page and "Sensor milik Dishub" not in page


def test_rotating_a_key_shows_the_new_secret_once_and_stores_only_its_hash(client, pejabat, pupr):
    device = DeviceFactory(asset=AssetFactory(agency=pupr))
    client.force_login(pejabat)
    response = client.post(reverse("infrastructure:manage_device_rotate", args=[device.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret in response.content.decode()
    device.refresh_from_db()
    assert device.check_secret(secret) and secret not in device.secret_hash
    assert not device.check_secret("rahasia-uji")
    listing = client.get(reverse("infrastructure:manage_devices")).content.decode()
    assert secret not in listing
    assert Activity.objects.filter(verb="infrastructure.device_secret_rotated").exists()


def test_an_official_cannot_rotate_another_units_device(client, pejabat):
    device = DeviceFactory(asset=AssetFactory(agency=UnitFactory(code="DISHUB")))
    before = device.secret_hash
    client.force_login(pejabat)
    response = client.post(reverse("infrastructure:manage_device_rotate", args=[device.pk]))
    assert response.status_code == 404
    assert Device.objects.get(pk=device.pk).secret_hash == before


def test_rotation_needs_post(client, pejabat, pupr):
    device = DeviceFactory(asset=AssetFactory(agency=pupr))
    client.force_login(pejabat)
    assert (
        client.get(reverse("infrastructure:manage_device_rotate", args=[device.pk])).status_code
        == 405
    )


def test_administrators_manage_every_unit(client, admin_user):
    DeviceFactory(name="Sensor mana saja", asset=AssetFactory(agency=None))
    client.force_login(admin_user)
    assert (
        "Sensor mana saja" in client.get(reverse("infrastructure:manage_devices")).content.decode()
    )


def test_an_asset_keeps_weights_between_1_and_5(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.create(
            kind="road", name="x", code="x", latitude=0, longitude=0, criticality=9
        )
