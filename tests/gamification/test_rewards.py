"""Redeeming spends points atomically: never more than the balance, never more than the stock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gamification import services
from gamification.models import PointsAccount, PointsEntry, Redemption, Reward
from gamification.selectors import ledger_mismatches, points_balance
from portal.models import Activity
from tests.factories import UserFactory
from tests.gamification.factories import PointsEntryFactory, RewardFactory


@pytest.mark.django_db
def test_redeeming_spends_points_takes_stock_and_gives_a_voucher(alice, grant):
    grant(alice, 250)
    reward = RewardFactory(price=100, stock=3)

    redemption = services.reward_redeem(user=alice, reward_id=reward.pk)

    reward.refresh_from_db()
    assert reward.stock == 2
    assert points_balance(user_id=alice.pk) == 150
    assert PointsAccount.objects.get(user=alice).balance == 150
    assert len(redemption.code) == 14
    assert Activity.objects.filter(actor=alice, verb="reward.redeemed").exists()
    assert ledger_mismatches() == []


@pytest.mark.django_db
def test_redeeming_without_enough_points_is_refused_in_indonesian(alice, grant):
    grant(alice, 40)
    reward = RewardFactory(price=100, stock=3)

    with pytest.raises(services.NotEnoughPoints, match="Poin Anda belum cukup"):
        services.reward_redeem(user=alice, reward_id=reward.pk)
    assert Reward.objects.get(pk=reward.pk).stock == 3
    assert points_balance(user_id=alice.pk) == 40


@pytest.mark.django_db
def test_redeeming_a_reward_out_of_stock_is_refused(alice, grant):
    grant(alice, 500)
    reward = RewardFactory(price=100, stock=0)

    with pytest.raises(services.OutOfStock, match="stok hadiah ini sudah habis"):
        services.reward_redeem(user=alice, reward_id=reward.pk)
    assert points_balance(user_id=alice.pk) == 500


def _race(count: int, target) -> list[BaseException]:
    barrier = threading.Barrier(count)
    outcomes: list[BaseException | None] = []

    def worker() -> None:
        try:
            barrier.wait()
            target()
            outcomes.append(None)
        except BaseException as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overspend_points():
    user = UserFactory(roles=["warga"])
    PointsEntryFactory(user=user, points=300)
    PointsAccount.objects.create(user=user, balance=300, earned=300)
    reward = RewardFactory(price=100, stock=50)

    outcomes = _race(10, lambda: services.reward_redeem(user=user, reward_id=reward.pk))

    refused = [o for o in outcomes if isinstance(o, services.NotEnoughPoints)]
    assert (outcomes.count(None), len(refused)) == (3, 7)
    assert points_balance(user_id=user.pk) == 0
    assert Reward.objects.get(pk=reward.pk).stock == 47
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_by_many_citizens_never_over_redeem_stock():
    users = [UserFactory(roles=["warga"]) for _ in range(8)]
    for user in users:
        PointsEntryFactory(user=user, points=1000)
        PointsAccount.objects.create(user=user, balance=1000, earned=1000)
    reward = RewardFactory(price=100, stock=3)
    queue = list(users)
    lock = threading.Lock()

    def redeem() -> None:
        with lock:
            user = queue.pop()
        services.reward_redeem(user=user, reward_id=reward.pk)

    outcomes = _race(8, redeem)

    assert outcomes.count(None) == 3
    assert all(isinstance(o, services.OutOfStock) for o in outcomes if o is not None)
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Redemption.objects.count() == 3
    assert PointsEntry.objects.filter(kind="redemption").count() == 3
