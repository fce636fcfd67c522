"""The request cycle with JSON bytes in and out: kelompok's bytes API against S plus the codec.

A store hands the request bytes, not a dict. kelompok reads and writes them with
``load_json`` and ``Group.to_json``; a backend on ``transitions`` parses them,
runs its cycle on the dict and serialises the result. Both sides use the very
same codec object (``kelompok._codec.json_bytes.codec``: orjson when installed,
else the standard library held to the same rules), so the comparison measures
what kelompok adds, not which JSON library is faster.
"""

from __future__ import annotations

from typing import Any

import workload as w
from lifecycle import Payload
from measure import Bench
from variants import Variant

import kelompok
from kelompok._codec.json_bytes import codec

KELOMPOK_BYTES, BASELINE_BYTES = "K bytes", "S+codec"
"""The (c-small) rows: kelompok's bytes cycle; S's cycle between ``codec.decode`` and ``encode``."""
NAMES = {
    KELOMPOK_BYTES: f"kelompok: load_json(bytes) -> admit -> to_json() ({codec.name})",
    BASELINE_BYTES: f"S between {codec.name} decode and encode (the same codec object)",
}


def _inputs(blob: bytes, n: int, prefix: str = "new") -> list[tuple[bytes, Payload]]:
    # bytes are immutable: every operation may read the same object
    return [(blob, w.admit(f"{prefix}{i}")) for i in range(n)]


def kelompok_bytes_cycle(blob: bytes, *, history: bool = True) -> Bench:
    """``load_json(blob) -> fire("admit") -> to_json(history=history)``, kelompok alone."""

    def op(item: tuple[bytes, Payload]) -> None:
        group = kelompok.load_json(item[0])
        group.fire("admit", **item[1])
        group.to_json(history=history)

    return Bench(prepare=lambda n: _inputs(blob, n), op=op)


def codec_cycle(v: Variant, blob: bytes) -> Bench:
    """``codec.decode(blob)``, then *v*'s request cycle on the dict, then ``codec.encode``."""
    decode, encode = codec.decode, codec.encode

    def op(item: tuple[bytes, Payload]) -> None:
        handle: Any = v.load(decode(item[0]))
        v.fire(handle, "admit", item[1])
        encode(v.to_dict(handle))
        v.release(handle)

    return Bench(prepare=lambda n: _inputs(blob, n), op=op)


def stored_bytes(doc: dict[str, Any]) -> bytes:
    """*doc* as the store keeps it: the codec's compact UTF-8 JSON, as ``to_json`` writes it."""
    return codec.encode(doc)
