"""RFC 9162 proofs checked against the published vectors of an established implementation.

The vectors are copied from transparency-dev/merkle, proof/verify_test.go
(commit 02194e9afb6c1d95b5381350007963aa70fff472): `leaves`, `roots`,
`inclusionProofs` (leaf numbers there are 1-based) and `consistencyProofs`.
"""

from __future__ import annotations

import random

import pytest

from notifications.letters import tlog

LEAVES = [
    bytes.fromhex(""),
    bytes.fromhex("00"),
    bytes.fromhex("10"),
    bytes.fromhex("2021"),
    bytes.fromhex("3031"),
    bytes.fromhex("40414243"),
    bytes.fromhex("5051525354555657"),
    bytes.fromhex("606162636465666768696a6b6c6d6e6f"),
]

ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# (leaf number, 1-based; tree size; proof)
INCLUSION_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

# (size1, size2, proof)
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

LEAF_HASHES = [tlog.leaf_hash(data) for data in LEAVES]
NODES = tlog.perfect_nodes(LEAF_HASHES)


def _nodes_of(size: int):
    nodes = tlog.perfect_nodes(LEAF_HASHES[:size])
    return tlog.dict_source(nodes)


def _hex(hashes: list[bytes]) -> list[str]:
    return [value.hex() for value in hashes]


@pytest.mark.parametrize("size", range(1, 9))
def test_root_of_each_prefix_matches_the_published_root(size):
    assert tlog.mth(LEAF_HASHES[:size]).hex() == ROOTS[size - 1]
    assert tlog.root_hash(_nodes_of(size), size).hex() == ROOTS[size - 1]


def test_empty_tree_root_is_the_hash_of_nothing():
    assert tlog.root_hash(tlog.dict_source(NODES), 0).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION_PROOFS)
def test_inclusion_proof_matches_the_published_vector(leaf, size, proof):
    assert _hex(tlog.inclusion_proof(_nodes_of(size), leaf - 1, size)) == proof


@pytest.mark.parametrize(("leaf", "size", "proof"), INCLUSION_PROOFS)
def test_published_inclusion_proof_verifies_and_corruptions_do_not(leaf, size, proof):
    hashes = [bytes.fromhex(value) for value in proof]
    root = bytes.fromhex(ROOTS[size - 1])
    leaf_hash = LEAF_HASHES[leaf - 1]
    tlog.verify_inclusion(leaf - 1, size, leaf_hash, hashes, root)
    corruptions = [
        (leaf - 2, size, leaf_hash, hashes, root),
        (leaf, size, leaf_hash, hashes, root),
        (leaf - 1, size * 2, leaf_hash, hashes, root),
        (leaf - 1, size // 2, leaf_hash, hashes, root),
        (leaf - 1, size, tlog.leaf_hash(b"WrongLeaf"), hashes, root),
        (leaf - 1, size, leaf_hash, hashes, tlog.EMPTY_ROOT),
        (leaf - 1, size, leaf_hash, [*hashes, b""], root),
        (leaf - 1, size, leaf_hash, [*hashes, root], root),
        (leaf - 1, size, leaf_hash, [root, *hashes], root),
    ]
    for position in range(len(hashes)):
        flipped = list(hashes)
        flipped[position] = bytes([flipped[position][0] ^ 8]) + flipped[position][1:]
        corruptions.append((leaf - 1, size, leaf_hash, flipped, root))
    if hashes:
        corruptions.append((leaf - 1, size, leaf_hash, hashes[:-1], root))
    for index, tree_size, leaf_value, path, expected_root in corruptions:
        with pytest.raises(tlog.ProofError):
            tlog.verify_inclusion(index, tree_size, leaf_value, path, expected_root)


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_PROOFS)
def test_consistency_proof_matches_the_published_vector(size1, size2, proof):
    assert _hex(tlog.consistency_proof(_nodes_of(size2), size1, size2)) == proof


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_PROOFS)
def test_published_consistency_proof_verifies_and_corruptions_do_not(size1, size2, proof):
    hashes = [bytes.fromhex(value) for value in proof]
    root1, root2 = bytes.fromhex(ROOTS[size1 - 1]), bytes.fromhex(ROOTS[size2 - 1])
    tlog.verify_consistency(size1, size2, hashes, root1, root2)
    if not hashes:
        return
    corruptions = [
        (size1 - 1, size2, hashes, root1, root2),
        (size1 + 1, size2, hashes, root1, root2),
        (size1 ^ 2, size2, hashes, root1, root2),
        (size1, size2 * 2, hashes, root1, root2),
        (size1, size2 // 2, hashes, root1, root2),
        (size1, size2, hashes, tlog.leaf_hash(b"WrongRoot"), root2),
        (size1, size2, hashes, root2, root1),
        (size1, size2, [], root1, root2),
        (size1, size2, [*hashes, b""], root1, root2),
        (size1, size2, [*hashes, root1], root1, root2),
        (size1, size2, [root2, *hashes], root1, root2),
        (size1, size2, [hashes[0], *hashes], root1, root2),
        (size1, size2, hashes[:-1], root1, root2),
    ]
    for position in range(len(hashes)):
        flipped = list(hashes)
        flipped[position] = bytes([flipped[position][0] ^ 16]) + flipped[position][1:]
        corruptions.append((size1, size2, flipped, root1, root2))
    for args in corruptions:
        with pytest.raises(tlog.ProofError):
            tlog.verify_consistency(*args)


def test_random_trees_agree_with_brute_force_and_verify():
    rng = random.Random(9162)
    for size in [*range(1, 70), 127, 128, 129, 1000]:
        leaves = [tlog.leaf_hash(rng.randbytes(rng.randint(0, 40))) for _ in range(size)]
        nodes = tlog.dict_source(tlog.perfect_nodes(leaves))
        root = tlog.mth(leaves)
        assert tlog.root_hash(nodes, size) == root
        for index in {0, size - 1, rng.randrange(size)}:
            proof = tlog.inclusion_proof(nodes, index, size)
            assert proof == _brute_path(index, leaves)
            tlog.verify_inclusion(index, size, leaves[index], proof, root)
        for size1 in {1, size, rng.randint(1, size)}:
            proof = tlog.consistency_proof(nodes, size1, size)
            assert proof == _brute_subproof(size1, leaves, True)
            tlog.verify_consistency(size1, size, proof, tlog.mth(leaves[:size1]), root)


def test_proof_over_a_million_leaves_has_twenty_hashes():
    wanted = tlog.needed_nodes(lambda nodes: tlog.inclusion_proof(nodes, 123_457, 1_000_000))
    assert len(wanted) < 200
    assert len(tlog.inclusion_proof(lambda level, index: bytes(32), 123_457, 1_000_000)) == 20


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _brute_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH of RFC 9162 §2.1.3.1 on the list itself, as the RFC writes it."""
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_brute_path(m, leaves[:k]), tlog.mth(leaves[k:])]
    return [*_brute_path(m - k, leaves[k:]), tlog.mth(leaves[:k])]


def _brute_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [tlog.mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_brute_subproof(m, leaves[:k], whole), tlog.mth(leaves[k:])]
    return [*_brute_subproof(m - k, leaves[k:], False), tlog.mth(leaves[:k])]


@pytest.mark.parametrize("attempt", range(8))
def test_checkpoint_signed_note_round_trips_and_rejects_tampering(attempt):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    # Random keys: some encode with '+' or '/' in base64, which the key format must survive.
    key = Ed25519PrivateKey.generate()
    checkpoint = tlog.Checkpoint(
        origin="portal.test/esurat/log", size=8, root=bytes.fromhex(ROOTS[7])
    )
    note, _signature = tlog.sign_checkpoint(checkpoint, key)
    verifier = tlog.verifier_key(checkpoint.origin, key.public_key())
    assert tlog.open_checkpoint(note, verifier) == checkpoint
    with pytest.raises(tlog.ProofError):
        tlog.open_checkpoint(note.replace("\n8\n", "\n9\n"), verifier)
    other = tlog.verifier_key(checkpoint.origin, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(tlog.ProofError):
        tlog.open_checkpoint(note, other)
