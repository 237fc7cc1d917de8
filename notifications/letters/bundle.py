"""Proof bundles: everything needed to check a letter offline, and the offline check itself.

A bundle holds the letter's log leaves (canonical records), their inclusion proofs
against a signed checkpoint, and the CA certificate the signature chains to. The
offline check trusts only what the verifier brings: the log's public key (and, if
given, the CA certificate); the bundle's own CA is used only when none is given.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notifications.letters import conf, keys, log, signing, tlog
from notifications.letters.models import Letter, LogLeaf

FORMAT = "portal-esurat-proof-bundle/1"


def proof_bundle_for(letter: Letter, *, ensure_checkpoint: bool = False) -> dict[str, Any]:
    """The letter's bundle; with `ensure_checkpoint`, sign a new checkpoint if none covers it."""
    leaves = list(LogLeaf.objects.filter(letter=letter).order_by("index"))
    checkpoint = log.checkpoint_latest()
    if ensure_checkpoint and leaves and (checkpoint is None or checkpoint.size <= leaves[-1].index):
        checkpoint = log.checkpoint_create()
    entries = []
    for leaf in leaves:
        proof = log.leaf_proof(leaf, checkpoint)
        entries.append(
            {
                "event": leaf.event,
                **(proof.as_dict() if proof else {"leaf_index": leaf.index, "record": leaf.record}),
            }
        )
    ca_path = conf.ca_cert_path()
    return {
        "format": FORMAT,
        "number": letter.number,
        "issuer": letter.unit.code,
        "pdf_sha256": letter.pdf_sha256,
        "status": letter.status,
        "revoked_reason": letter.revoked_reason,
        "checkpoint": checkpoint.note if checkpoint else None,
        "log_public_key": keys.tlog_verifier_key(),
        "ca_certificate_pem": ca_path.read_text() if ca_path.exists() else None,
        "leaves": entries,
    }


@dataclass
class OfflineResult:
    status: str = "not_authentic"  # authentic | not_authentic | revoked
    reason: str = ""
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((name, ok, detail))
        return ok


def verify_offline(
    *, pdf_bytes: bytes, bundle: dict[str, Any], verifier_key: str, ca_pem: str | None = None
) -> OfflineResult:
    """Check a PDF against its bundle with only the log's public key (and optionally a CA)."""
    result = OfflineResult()
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    if not result.check("format", bundle.get("format") == FORMAT, str(bundle.get("format"))):
        return result
    try:
        checkpoint = tlog.open_checkpoint(bundle.get("checkpoint") or "", verifier_key)
    except tlog.ProofError as error:
        result.check("checkpoint signature", False, str(error))
        return result
    result.check("checkpoint signature", True, f"size {checkpoint.size}")
    issued = None
    revoked = None
    for entry in bundle.get("leaves", []):
        record_text = entry.get("record", "")
        try:
            record = json.loads(record_text)
            proof = [bytes.fromhex(value) for value in entry["inclusion_proof"]]
            leaf_hash = tlog.leaf_hash(record_text.encode())
            if checkpoint.size != entry["tree_size"]:
                raise tlog.ProofError("proof is for another tree size than the checkpoint")
            tlog.verify_inclusion(
                entry["leaf_index"], checkpoint.size, leaf_hash, proof, checkpoint.root
            )
        except (KeyError, ValueError, TypeError, tlog.ProofError) as error:
            result.check(f"inclusion of leaf {entry.get('leaf_index')}", False, str(error))
            continue
        result.check(f"inclusion of leaf {entry['leaf_index']}", True, record.get("event", ""))
        if record.get("pdf_sha256") != digest:
            continue
        if record.get("event") == LogLeaf.Event.ISSUED:
            issued = record
        elif record.get("event") == LogLeaf.Event.REVOKED:
            revoked = record
    if not result.check("PDF hash logged", issued is not None, digest):
        return result
    ca = ca_pem or bundle.get("ca_certificate_pem") or ""
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as handle:
        handle.write(ca)
        handle.flush()
        signature = signing.check_signature(pdf_bytes, ca_path=Path(handle.name))
    if not result.check("PDF signature", signature.valid, signature.detail):
        return result
    if revoked is not None:
        result.status = "revoked"
        result.reason = bundle.get("revoked_reason", "")
        return result
    result.status = "authentic"
    return result
