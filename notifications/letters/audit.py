"""The log audit: an O(n) pass over every stored leaf, node, letter and the latest checkpoint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from notifications.letters import keys, log, tlog
from notifications.letters.models import Checkpoint, Letter, LogHead, LogLeaf, TreeNode


@dataclass
class AuditReport:
    leaves: int = 0
    letters: int = 0
    checkpoint_size: int = 0
    problems: list[str] = field(default_factory=list)


def _levels(leaf_hashes: list[bytes]) -> list[list[bytes]]:
    """Every perfect subtree hash, level by level."""
    levels = [leaf_hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([tlog.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return levels


def audit(
    *, check_files: bool = False, progress: Callable[[str], object] = lambda _m: None
) -> AuditReport:
    report = AuditReport()
    problems = report.problems
    letters = {
        letter.pk: letter
        for letter in Letter.objects.select_related("unit", "recipient")
        .order_by("pk")
        .iterator(2000)
    }
    report.letters = len(letters)
    events: dict[int, set[str]] = {pk: set() for pk in letters}
    leaf_hashes: list[bytes] = []
    for leaf in LogLeaf.objects.order_by("index").iterator(chunk_size=5000):
        expected_index = len(leaf_hashes)
        if leaf.index != expected_index:
            problems.append(f"leaf index {leaf.index} where {expected_index} was expected (gap)")
        data = leaf.record.encode()
        value = tlog.leaf_hash(data)
        leaf_hashes.append(value)
        if leaf.leaf_hash != value.hex():
            problems.append(f"leaf {leaf.index}: stored leaf hash does not match its record")
        try:
            record = json.loads(data)
        except ValueError:
            problems.append(f"leaf {leaf.index}: record is not JSON")
            continue
        if tlog.canonical_json(record) != data:
            problems.append(f"leaf {leaf.index}: record is not in canonical form")
        letter = letters.get(leaf.letter_id)
        if letter is None:
            problems.append(f"leaf {leaf.index}: its letter {leaf.letter_id} is missing")
            continue
        events[letter.pk].add(leaf.event)
        expected = (
            log.leaf_record(letter, leaf.event)
            if (leaf.event == LogLeaf.Event.ISSUED or letter.revoked_at is not None)
            else None
        )
        if record.get("event") != leaf.event:
            problems.append(f"leaf {leaf.index}: event column differs from the record")
        if expected is None:
            problems.append(f"leaf {leaf.index}: letter {letter.number} is not revoked")
            continue
        for key in ("number", "issuer", "pdf_sha256", "id", "recipient_sha256", "time"):
            if record.get(key) != expected[key]:
                problems.append(
                    f"leaf {leaf.index}: letter {letter.pk} ({letter.number}) field {key!r} "
                    "differs from the logged record"
                )
        if len(leaf_hashes) % 100_000 == 0:
            progress(f"{len(leaf_hashes)} leaves checked")
    report.leaves = len(leaf_hashes)

    for pk, seen in events.items():
        letter = letters[pk]
        if LogLeaf.Event.ISSUED not in seen:
            problems.append(f"letter {letter.number}: no 'issued' leaf in the log")
        if letter.is_revoked and LogLeaf.Event.REVOKED not in seen:
            problems.append(f"letter {letter.number}: revoked without a 'revoked' leaf")
        if check_files:
            try:
                with letter.pdf.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
            except OSError:
                problems.append(f"letter {letter.number}: PDF file missing")
            else:
                if digest != letter.pdf_sha256:
                    problems.append(f"letter {letter.number}: PDF file differs from its hash")

    head = LogHead.objects.filter(pk=1).first()
    if (head.size if head else 0) != report.leaves:
        problems.append(f"log head says {head.size if head else 0} leaves, found {report.leaves}")

    levels = _levels(leaf_hashes)
    for level, expected_hashes in enumerate(levels):
        stored = 0
        for index, value in (
            TreeNode.objects.filter(level=level)
            .order_by("index")
            .values_list("index", "hash")
            .iterator(chunk_size=10_000)
        ):
            stored += 1
            if index >= len(expected_hashes) or bytes(value) != expected_hashes[index]:
                problems.append(f"tree node ({level}, {index}) differs from the recomputed tree")
        if stored != len(expected_hashes):
            problems.append(
                f"level {level}: {stored} nodes stored, {len(expected_hashes)} expected"
            )

    checkpoint = Checkpoint.objects.order_by("-size").first()
    if checkpoint is not None:
        report.checkpoint_size = checkpoint.size
        try:
            signed = tlog.open_checkpoint(checkpoint.note, keys.tlog_verifier_key())
        except (tlog.ProofError, FileNotFoundError) as error:
            problems.append(f"checkpoint {checkpoint.size}: {error}")
        else:
            if checkpoint.size > report.leaves:
                problems.append(
                    f"checkpoint {checkpoint.size} is beyond the log's {report.leaves} leaves"
                )
            else:
                source = lambda level, index: levels[level][index]  # noqa: E731
                root = tlog.root_hash(source, checkpoint.size)
                if signed.size != checkpoint.size or signed.root != root:
                    problems.append(
                        f"checkpoint {checkpoint.size}: the signed root does not match the "
                        "root recomputed from the stored leaves"
                    )
                if checkpoint.root_hash != root.hex():
                    problems.append(f"checkpoint {checkpoint.size}: stored root column differs")
    return report
