"""Memory-budgeted nearest neighbours: every core module finds neighbours through here.

Distances are Euclidean. The exact search computes squared distances block by block with one
matrix product per block (``|q|^2 + |r|^2 - 2 q.r``), so no more than ``block_bytes`` of distances
exist at any time, whatever the sizes of the two sets. Above ``max_exact_pairs`` query x reference
pairs, ``method="auto"`` switches to an approximate graph search (pynndescent, installed with
umap-learn).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..progress import Progress, report

#: Bytes of distances held in memory at once by the blocked searches (256 MiB).
BLOCK_BYTES = 256 * 2**20
#: Above this many query x reference pairs, ``method="auto"`` searches approximately.
MAX_EXACT_PAIRS = 4 * 10**9
METHODS = ("auto", "exact", "approximate")


def _as_float32(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), got shape {x.shape}")
    return np.ascontiguousarray(x, dtype=np.float32)


def _blocks(n_query: int, n_ref: int, block_bytes: int) -> Iterator[tuple[int, int, int, int]]:
    """(q0, q1, r0, r1) blocks whose float32 distance tile fits in ``block_bytes``."""
    cells = max(1, block_bytes // 4)
    ref_step = min(n_ref, cells)
    query_step = max(1, cells // ref_step)
    for q0 in range(0, n_query, query_step):
        for r0 in range(0, n_ref, ref_step):
            yield q0, min(q0 + query_step, n_query), r0, min(r0 + ref_step, n_ref)


def _sq_distances(q: np.ndarray, r: np.ndarray, qn: np.ndarray, rn: np.ndarray) -> np.ndarray:
    d = q @ r.T
    d *= -2.0
    d += qn[:, None]
    d += rn[None, :]
    np.maximum(d, 0.0, out=d)
    return d


def smallest_k(d: np.ndarray, k: int, chunk: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """(values, column indices) of the k smallest entries of each row of ``d``, ascending.

    Faster than ``argpartition`` on long rows: the k-th smallest of the minima of column chunks
    bounds the k-th smallest entry from above (those k minima are k distinct entries), so only
    the few entries under that bound are sorted.
    """
    n, m = d.shape
    n_chunks = m // chunk
    if k >= m:
        idx = np.argsort(d, axis=1, kind="stable")
        return np.take_along_axis(d, idx, axis=1), idx
    if n_chunks < k or n == 0:
        idx = np.argpartition(d, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(d, idx, axis=1)
        order = np.argsort(vals, axis=1, kind="stable")
        return np.take_along_axis(vals, order, axis=1), np.take_along_axis(idx, order, axis=1)
    minima = d[:, : n_chunks * chunk].reshape(n, n_chunks, chunk).min(axis=2)
    if n_chunks * chunk < m:
        minima = np.concatenate([minima, d[:, n_chunks * chunk :].min(axis=1, keepdims=True)], 1)
    bound = np.partition(minima, k - 1, axis=1)[:, k - 1]
    rows, cols = np.nonzero(d <= bound[:, None])
    vals = d[rows, cols]
    order = np.lexsort((cols, vals, rows))  # by row, then value, then column
    rows, cols, vals = rows[order], cols[order], vals[order]
    first = np.searchsorted(rows, np.arange(n))
    keep = np.arange(len(rows)) - first[rows] < k
    return vals[keep].reshape(n, k), cols[keep].reshape(n, k)


def _check_k(k: int, n_ref: int, exclude_self: bool) -> None:
    available = n_ref - 1 if exclude_self else n_ref
    if not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > available:
        raise ValueError(
            f"k={k} neighbours requested but the reference set has only {available} "
            f"{'other ' if exclude_self else ''}samples: pass k <= {available} or add samples"
        )


def exact_knn(
    query: np.ndarray,
    reference: np.ndarray | None = None,
    k: int = 5,
    *,
    block_bytes: int = BLOCK_BYTES,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of each query row among the reference rows.

    With ``reference=None`` the query set is searched against itself, excluding each sample itself.
    Returns ``(distances, indices)``, both (n_query, k), sorted by increasing Euclidean distance;
    distances are float32 in the units of the inputs.
    """
    exclude_self = reference is None
    q = _as_float32(query, "query")
    r = q if exclude_self else _as_float32(reference, "reference")
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"query has {q.shape[1]} features but reference has {r.shape[1]}: "
            "embed both with the same model"
        )
    _check_k(k, r.shape[0], exclude_self)
    n_q, n_r = q.shape[0], r.shape[0]
    qn = np.einsum("ij,ij->i", q, q)
    rn = qn if exclude_self else np.einsum("ij,ij->i", r, r)
    q_neg2 = -2.0 * q
    best_d = np.full((n_q, k), np.inf, dtype=np.float32)
    best_i = np.zeros((n_q, k), dtype=np.int64)
    blocks = list(_blocks(n_q, n_r, block_bytes))
    for b, (q0, q1, r0, r1) in enumerate(blocks):
        # |r|^2 - 2 q.r ranks the references like the distance does (|q|^2 is the same along a
        # row); |q|^2 is added to the few selected values only.
        d = q_neg2[q0:q1] @ r[r0:r1].T
        d += rn[None, r0:r1]
        if exclude_self:
            rows = np.arange(q0, q1)
            inside = (rows >= r0) & (rows < r1)
            d[np.nonzero(inside)[0], rows[inside] - r0] = np.inf
        kk = min(k, r1 - r0)
        if kk == 1:
            part = np.argmin(d, axis=1)[:, None]
            part_d = np.take_along_axis(d, part, axis=1)
        else:
            part_d, part = smallest_k(d, kk)
        part_d += qn[q0:q1, None]
        if r0 == 0 and r1 == n_r:  # the block spans every reference: nothing to merge
            best_d[q0:q1], best_i[q0:q1] = part_d, part + r0
        elif k == 1:
            better = part_d[:, 0] < best_d[q0:q1, 0]
            best_d[q0:q1, 0] = np.where(better, part_d[:, 0], best_d[q0:q1, 0])
            best_i[q0:q1, 0] = np.where(better, part[:, 0] + r0, best_i[q0:q1, 0])
        else:
            cand_d = np.concatenate([best_d[q0:q1], part_d], axis=1)
            cand_i = np.concatenate([best_i[q0:q1], part + r0], axis=1)
            order = np.argsort(cand_d, axis=1, kind="stable")[:, :k]
            best_d[q0:q1] = np.take_along_axis(cand_d, order, axis=1)
            best_i[q0:q1] = np.take_along_axis(cand_i, order, axis=1)
        report(progress, (b + 1) / len(blocks), "nearest neighbours")
    return np.sqrt(np.maximum(best_d, 0.0)), best_i


def approximate_knn(
    query: np.ndarray, reference: np.ndarray | None = None, k: int = 5, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k nearest neighbours (NN-descent graph); same contract as :func:`exact_knn`."""
    from pynndescent import NNDescent

    exclude_self = reference is None
    q = _as_float32(query, "query")
    r = q if exclude_self else _as_float32(reference, "reference")
    _check_k(k, r.shape[0], exclude_self)
    extra = 1 if exclude_self else 0
    index = NNDescent(r, n_neighbors=max(15, k + extra), random_state=seed, n_jobs=None)
    idx, dist = index.query(q, k=k + extra)
    if exclude_self:
        # drop each point itself (normally the first hit; otherwise the farthest candidate)
        keep = idx != np.arange(q.shape[0])[:, None]
        keep[keep.all(axis=1), -1] = False
        idx = idx[keep].reshape(q.shape[0], k)
        dist = dist[keep].reshape(q.shape[0], k)
    return dist.astype(np.float32), idx.astype(np.int64)


def knn(
    query: np.ndarray,
    reference: np.ndarray | None = None,
    k: int = 5,
    *,
    method: str = "auto",
    block_bytes: int = BLOCK_BYTES,
    max_exact_pairs: int = MAX_EXACT_PAIRS,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """k nearest neighbours, exact (blocked) unless the search is too large and ``method="auto"``.

    Returns ``(distances, indices)``, (n_query, k) each, nearest first. ``reference=None`` searches
    the query set against itself without returning each sample as its own neighbour.
    """
    if method not in METHODS:
        raise ValueError(f"Unsupported kNN method {method!r}. The available methods are {METHODS}")
    n_ref = len(query) if reference is None else len(reference)
    if method == "approximate" or (method == "auto" and len(query) * n_ref > max_exact_pairs):
        return approximate_knn(query, reference, k, seed=seed)
    return exact_knn(query, reference, k, block_bytes=block_bytes, progress=progress)


def count_within(
    query: np.ndarray,
    reference: np.ndarray,
    radii: np.ndarray,
    *,
    block_bytes: int = BLOCK_BYTES,
) -> np.ndarray:
    """For each query row, how many reference balls contain it: #{i : |q - r_i| <= radii[i]}.

    Returns an int64 array (n_query,). Used by precision / recall / density (Naeem et al. 2020).
    """
    q = _as_float32(query, "query")
    r = _as_float32(reference, "reference")
    rad2 = np.square(np.asarray(radii, dtype=np.float64)).astype(np.float32)
    qn = np.einsum("ij,ij->i", q, q)
    rn = np.einsum("ij,ij->i", r, r)
    counts = np.zeros(q.shape[0], dtype=np.int64)
    for q0, q1, r0, r1 in _blocks(q.shape[0], r.shape[0], block_bytes):
        d = _sq_distances(q[q0:q1], r[r0:r1], qn[q0:q1], rn[r0:r1])
        counts[q0:q1] += np.count_nonzero(d <= rad2[None, r0:r1], axis=1)
    return counts
