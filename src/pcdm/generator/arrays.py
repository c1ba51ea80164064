"""Vectorised building blocks: fixed-width ids, coded columns and conversion to Arrow tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pcdm.contract import load_contract

_ZERO = ord("0")
ARROW_TYPES = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "boolean": pa.bool_(),
    "double": pa.float64(),
    "integer": pa.int32(),
}


@dataclass(frozen=True)
class Coded:
    """A string column as indices into a small vocabulary (-1 = null)."""

    indices: np.ndarray
    vocab: tuple[str, ...]

    def to_arrow(self) -> pa.Array:
        idx = np.asarray(self.indices, dtype=np.int32)
        mask = idx < 0
        dictionary = pa.DictionaryArray.from_arrays(
            pa.array(np.where(mask, 0, idx), mask=mask), pa.array(list(self.vocab), pa.string())
        )
        return dictionary.dictionary_decode()


def coded(vocab: list[str] | tuple[str, ...], indices: np.ndarray) -> Coded:
    return Coded(np.asarray(indices, dtype=np.int32), tuple(vocab))


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digit matrix (n, width) of non-negative integers, zero padded."""
    out = np.empty((values.size, width), dtype=np.uint8)
    rest = np.asarray(values, dtype=np.int64).copy()
    for position in range(width - 1, -1, -1):
        out[:, position] = _ZERO + rest % 10
        rest //= 10
    return out


def make_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Fixed-width ids `prefix + zero-padded number` as an `S` array."""
    numbers = np.asarray(numbers, dtype=np.int64)
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((numbers.size, len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    out[:, len(head) :] = digits(numbers, width)
    return out.view(f"S{len(head) + width}").reshape(numbers.size)


def fixed_strings_to_arrow(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """A numpy `S` array (ASCII, no embedded NUL bytes) as an Arrow string array."""
    values = np.ascontiguousarray(values)
    n, width = values.size, values.dtype.itemsize
    if n == 0:
        return pa.array([], pa.string())
    matrix = values.view(np.uint8).reshape(n, width)
    filled = matrix != 0  # numpy `S` values are padded with trailing NUL bytes only
    lengths = filled.sum(axis=1, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = matrix.tobytes() if lengths.min() == width else matrix[filled].tobytes()
    if offsets[-1] < 2**31:
        offsets_buffer, array_type = pa.py_buffer(offsets.astype(np.int32)), pa.string()
    else:
        offsets_buffer, array_type = pa.py_buffer(offsets), pa.large_string()
    validity, nulls = None, 0
    if mask is not None and mask.any():
        validity, nulls = pa.array(~mask).buffers()[1], int(mask.sum())
    array = pa.Array.from_buffers(
        array_type, n, [validity, offsets_buffer, pa.py_buffer(data)], null_count=nulls
    )
    return array.cast(pa.string()) if array_type != pa.string() else array


def to_arrow(values, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(arrow_type)
    if isinstance(values, Coded):
        return values.to_arrow()
    values = np.asarray(values)
    if arrow_type == pa.string():
        if values.dtype.kind == "S":
            return fixed_strings_to_arrow(values)
        return pa.array(values, pa.string())
    if arrow_type == pa.date32():
        days = values.astype("datetime64[D]")
        return pa.array(days, pa.date32(), mask=np.isnat(days))
    if pa.types.is_timestamp(arrow_type):
        stamps = values.astype("datetime64[us]")
        return pa.array(stamps, arrow_type, mask=np.isnat(stamps))
    if arrow_type == pa.float64():
        floats = values.astype(np.float64)
        return pa.array(floats, pa.float64(), mask=np.isnan(floats))
    if arrow_type == pa.int32():
        if values.dtype.kind == "f":
            return pa.array(
                np.nan_to_num(values).astype(np.int32), pa.int32(), mask=np.isnan(values)
            )
        return pa.array(values.astype(np.int32), pa.int32())
    return pa.array(values, arrow_type)


def schema(table: str) -> pa.Schema:
    raw = load_contract()[table]
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.data_type]) for c in raw.columns])


def make_table(table: str, columns: dict) -> pa.Table:
    """An Arrow table with exactly the contract's columns, in contract order and types."""
    target = schema(table)
    missing = [f.name for f in target if f.name not in columns]
    extra = [name for name in columns if name not in target.names]
    if missing or extra:
        raise KeyError(f"{table}: missing columns {missing}, unexpected columns {extra}")
    arrays = [to_arrow(columns[f.name], f.type) for f in target]
    return pa.Table.from_arrays(arrays, schema=target)
