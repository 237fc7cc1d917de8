"""Merkle tree algorithms of RFC 9162 §2.1 (Certificate Transparency v2), as pure functions.

Written by hand because no maintained Python library implements the RFC's PATH,
SUBPROOF and verification algorithms over a *stored* tree: the proofs here read the
hashes of perfect subtrees from a `NodeSource` (a dict in tests, a database table in
production), so a proof over a million leaves needs about log2(n)² lookups, never a
pass over all the leaves. The signed-note checkpoint format follows C2SP
tlog-checkpoint / signed-note (the format of Go's golang.org/x/mod/sumdb/note).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# (level, index) → hash of the perfect subtree of 2**level leaves starting at index << level.
NodeSource = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof or checkpoint that does not verify."""


# --- Hashes ---------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def canonical_json(record: dict[str, Any]) -> bytes:
    """Compact, sorted-key UTF-8 JSON: the exact bytes a leaf commits to."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_perfect(start: int, size: int) -> bool:
    return size & (size - 1) == 0 and start % size == 0


# --- Tree hashes from a node source -----------------------------------------------------


def range_hash(nodes: NodeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range RFC 9162's recursion produces (start aligned to its split)."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if _is_perfect(start, size):
        return nodes(size.bit_length() - 1, start // size)
    k = _split(size)
    return node_hash(range_hash(nodes, start, start + k), range_hash(nodes, start + k, end))


def root_hash(nodes: NodeSource, size: int) -> bytes:
    return range_hash(nodes, 0, size)


def inclusion_proof(nodes: NodeSource, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf `index` in a tree of `size` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")

    def path(m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, start, start + k), range_hash(nodes, start + k, end)]
        return [*path(m - k, start + k, end), range_hash(nodes, start, start + k)]

    return path(index, 0, size)


def consistency_proof(nodes: NodeSource, size1: int, size2: int) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1."""
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to {size2}")
    if size1 == 0 or size1 == size2:
        return []

    def subproof(m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [range_hash(nodes, start, end)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, start, start + k, whole), range_hash(nodes, start + k, end)]
        return [*subproof(m - k, start + k, end, False), range_hash(nodes, start, start + k)]

    return subproof(size1, 0, size2, True)


def needed_nodes(compute: Callable[[NodeSource], Any]) -> set[tuple[int, int]]:
    """The (level, index) pairs `compute` reads: lets a database source fetch them in one query."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(HASH_SIZE)

    compute(record)
    return wanted


# --- In-memory trees (tests, audits, benchmarks) ------------------------------------------


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of RFC 9162 §2.1.1 straight from its definition (the brute force reference)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(mth(leaf_hashes[:k]), mth(leaf_hashes[k:]))


def dict_source(nodes: dict[tuple[int, int], bytes]) -> NodeSource:
    return lambda level, index: nodes[(level, index)]


def perfect_nodes(leaf_hashes: Iterable[bytes]) -> dict[tuple[int, int], bytes]:
    """Every perfect subtree hash of a list of leaf hashes, in one O(n) pass."""
    nodes: dict[tuple[int, int], bytes] = {}
    source = dict_source(nodes)
    for index, value in enumerate(leaf_hashes):
        for level, index_at_level, node in appended_nodes(index, value, source):
            nodes[(level, index_at_level)] = node
    return nodes


def appended_nodes(index: int, value: bytes, nodes: NodeSource) -> list[tuple[int, int, bytes]]:
    """The nodes that appending leaf `index` completes: the leaf, then each perfect parent.

    `nodes` must know the left siblings, (level, (index >> level) - 1) for each level
    where bit `level` of `index` is set.
    """
    out = [(0, index, value)]
    level, position, current = 0, index, value
    while position & 1:
        current = node_hash(nodes(level, position - 1), current)
        level, position = level + 1, position >> 1
        out.append((level, position, current))
    return out


def left_siblings(index: int) -> list[tuple[int, int]]:
    """The nodes `appended_nodes(index, …)` reads."""
    out = []
    level, position = 0, index
    while position & 1:
        out.append((level, position - 1))
        level, position = level + 1, position >> 1
    return out


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------


def _check_hashes(*hashes: bytes) -> None:
    if any(len(value) != HASH_SIZE for value in hashes):
        raise ProofError("hash of the wrong size")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if index >= size or index < 0:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hashes(leaf, *proof)
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` under `root`."""
    _check_hashes(root)
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise ProofError unless `proof` shows the tree of size1 is a prefix of the one of size2."""
    if size1 < 0 or size2 < size1:
        raise ProofError(f"size {size2} cannot extend size {size1}")
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes with different roots")
        return
    if size1 == 0:
        if proof:
            raise ProofError("the empty tree needs an empty proof")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    _check_hashes(root1, root2, *proof)
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != root1 or sr != root2:
        raise ProofError("consistency proof does not lead to both roots")


# --- Signed checkpoints (C2SP signed-note, Ed25519) ----------------------------------------

_ALG_ED25519 = b"\x01"
_DASH = "\u2014"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def _public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(
        name.encode() + b"\n" + _ALG_ED25519 + _public_bytes(public_key)
    ).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The note verifier key `name+hash+base64(0x01‖key)`, as Go's sumdb/note prints it."""
    raw = base64.b64encode(_ALG_ED25519 + _public_bytes(public_key)).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{raw}"


def parse_verifier_key(text: str) -> tuple[str, Ed25519PublicKey, bytes]:
    try:
        name, hash_hex, raw = text.strip().split("+", 2)
        decoded = base64.b64decode(raw, validate=True)
    except ValueError as error:
        raise ProofError("malformed verifier key") from error
    if not decoded.startswith(_ALG_ED25519) or len(decoded) != 33:
        raise ProofError("verifier key is not an Ed25519 key")
    public_key = Ed25519PublicKey.from_public_bytes(decoded[1:])
    if key_id(name, public_key).hex() != hash_hex:
        raise ProofError("verifier key hash does not match its key")
    return name, public_key, bytes.fromhex(hash_hex)


def sign_checkpoint(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> tuple[str, str]:
    """Return (note text, base64 signature) with the origin as the signer's name."""
    body = checkpoint.body()
    signature = private_key.sign(body.encode())
    kid = key_id(checkpoint.origin, private_key.public_key())
    encoded = base64.b64encode(kid + signature).decode()
    return f"{body}\n{_DASH} {checkpoint.origin} {encoded}\n", base64.b64encode(signature).decode()


def open_checkpoint(note: str, verifier: str) -> Checkpoint:
    """Verify a signed note against a verifier key and return the checkpoint it carries."""
    name, public_key, kid = parse_verifier_key(verifier)
    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise ProofError("checkpoint note has no signature block")
    body += "\n"
    for line in signatures.splitlines():
        prefix = f"{_DASH} {name} "
        if not line.startswith(prefix):
            continue
        try:
            blob = base64.b64decode(line[len(prefix) :], validate=True)
        except ValueError:
            continue
        if blob[:4] != kid:
            continue
        try:
            public_key.verify(blob[4:], body.encode())
        except InvalidSignature as error:
            raise ProofError("checkpoint signature is not valid") from error
        return parse_checkpoint_body(body, expected_origin=name)
    raise ProofError("checkpoint carries no signature by this key")


def parse_checkpoint_body(body: str, *, expected_origin: str | None = None) -> Checkpoint:
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise ProofError("malformed checkpoint body")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if expected_origin is not None and origin != expected_origin:
        raise ProofError("checkpoint origin does not match the key name")
    if not size_text.isdigit():
        raise ProofError("malformed checkpoint size")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as error:
        raise ProofError("malformed checkpoint root") from error
    _check_hashes(root)
    return Checkpoint(origin=origin, size=int(size_text), root=root)
