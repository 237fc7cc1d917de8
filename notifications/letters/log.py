"""The transparency log stored in the database: append, roots, proofs and checkpoints.

Appends are serialised by locking the single LogHead row FOR UPDATE (IMMEDIATE
transactions do the same on SQLite), so indices are gap-free and each append writes
the leaf plus the perfect-subtree nodes it completes (TreeNode). A proof then reads
about log2(n)² stored nodes in one query instead of hashing every leaf.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from notifications.letters import conf, keys, tlog
from notifications.letters.models import Checkpoint, Letter, LogHead, LogLeaf, TreeNode


def _fetch_nodes(wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not wanted:
        return {}
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, index in wanted:
        by_level[level].append(index)
    condition = models.Q()
    for level, indices in by_level.items():
        condition |= models.Q(level=level, index__in=indices)
    found = {
        (level, index): bytes(value)
        for level, index, value in TreeNode.objects.filter(condition).values_list(
            "level", "index", "hash"
        )
    }
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"tree nodes missing from the log: {sorted(missing)[:5]}")
    return found


def _with_nodes(compute: Callable[[tlog.NodeSource], Any]) -> Any:
    """Run a tlog computation after fetching every node it reads in one query."""
    nodes = _fetch_nodes(tlog.needed_nodes(compute))
    return compute(tlog.dict_source(nodes))


def log_size() -> int:
    head = LogHead.objects.filter(pk=1).first()
    return head.size if head else 0


def root_at(size: int) -> bytes:
    return _with_nodes(lambda nodes: tlog.root_hash(nodes, size))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return _with_nodes(lambda nodes: tlog.inclusion_proof(nodes, index, size))


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    return _with_nodes(lambda nodes: tlog.consistency_proof(nodes, size1, size2))


def recipient_digest(letter: Letter) -> str:
    """Who received the letter, without saying it: SHA-256 over the letter's id and the account."""
    recipient = letter.recipient
    who = f"{recipient.pk}:{recipient.email}" if recipient else letter.recipient_name
    return hashlib.sha256(f"{letter.public_id}:{who}".encode()).hexdigest()


def leaf_record(letter: Letter, event: str) -> dict[str, Any]:
    when = letter.revoked_at if event == LogLeaf.Event.REVOKED else letter.issued_at
    return {
        "v": 1,
        "event": str(event),
        "id": letter.public_id,
        "number": letter.number,
        "issuer": letter.unit.code,
        "pdf_sha256": letter.pdf_sha256,
        "recipient_sha256": recipient_digest(letter),
        "time": when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def append(*, letter: Letter, event: str) -> LogLeaf:
    """Append the letter's `event` leaf; must run inside the issuing/revoking transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log append must run inside the letter's transaction")
    LogHead.objects.get_or_create(pk=1)
    head = LogHead.objects.select_for_update().get(pk=1)
    index = head.size
    data = tlog.canonical_json(leaf_record(letter, event))
    value = tlog.leaf_hash(data)
    siblings = _fetch_nodes(set(tlog.left_siblings(index)))
    completed = tlog.appended_nodes(index, value, tlog.dict_source(siblings))
    leaf = LogLeaf.objects.create(
        index=index, leaf_hash=value.hex(), record=data.decode(), letter=letter, event=event
    )
    TreeNode.objects.bulk_create(
        [TreeNode(level=level, index=position, hash=node) for level, position, node in completed]
    )
    head.size = index + 1
    head.save(update_fields=["size"])
    return leaf


# --- Checkpoints ---------------------------------------------------------------------------


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


@transaction.atomic
def checkpoint_create(*, force: bool = False) -> Checkpoint | None:
    """Sign the current tree head if it grew since the last checkpoint (or always, with force)."""
    LogHead.objects.get_or_create(pk=1)
    head = LogHead.objects.select_for_update().get(pk=1)
    latest = checkpoint_latest()
    if latest is not None and latest.size >= head.size and not force:
        return None
    if latest is not None and latest.size == head.size:
        return latest
    root = root_at(head.size)
    note, signature = tlog.sign_checkpoint(
        tlog.Checkpoint(origin=conf.tlog_origin(), size=head.size, root=root),
        keys.load_tlog_key(),
    )
    return Checkpoint.objects.create(
        size=head.size, root_hash=root.hex(), note=note, signature=signature
    )


@dataclass(frozen=True)
class LeafProof:
    """A leaf's inclusion proof against a checkpoint, checked here before it is shown."""

    leaf: LogLeaf
    checkpoint: Checkpoint
    hashes: list[bytes]
    verified: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "leaf_index": self.leaf.index,
            "leaf_hash": self.leaf.leaf_hash,
            "record": self.leaf.record,
            "tree_size": self.checkpoint.size,
            "root_hash": self.checkpoint.root_hash,
            "inclusion_proof": [value.hex() for value in self.hashes],
            "checkpoint": self.checkpoint.note,
        }


def leaf_proof(leaf: LogLeaf, checkpoint: Checkpoint | None) -> LeafProof | None:
    """None while no checkpoint covers the leaf yet (the next one comes within a minute)."""
    if checkpoint is None or checkpoint.size <= leaf.index:
        return None
    hashes = inclusion_proof(leaf.index, checkpoint.size)
    try:
        tlog.verify_inclusion(
            leaf.index,
            checkpoint.size,
            tlog.leaf_hash(leaf.record.encode()),
            hashes,
            bytes.fromhex(checkpoint.root_hash),
        )
        tlog.open_checkpoint(checkpoint.note, keys.tlog_verifier_key())
    except (tlog.ProofError, ValueError, FileNotFoundError):
        verified = False
    else:
        verified = True
    return LeafProof(leaf=leaf, checkpoint=checkpoint, hashes=hashes, verified=verified)
