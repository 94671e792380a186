"""Memory-budgeted nearest neighbours: every core module finds neighbours through here.

Distances are Euclidean. The exact search computes squared distances block by block with one
matrix product per block (``|q|^2 + |r|^2 - 2 q.r``) and keeps each row's k smallest
(``torch.topk``), so no more than ``block_bytes`` of distances exist at any time, whatever the
sizes of the two sets. The kernels are torch's, on the CPU's threads. Above ``max_exact_pairs``
query x reference pairs, ``method="auto"`` switches to an approximate inverted-file search: the
reference set is cut into k-means cells and each query is compared exactly with the references
of the cells nearest its own (the same kernels; no index to compile or keep).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from ..progress import Progress, report

#: Bytes of distances held in memory at once by the blocked searches (256 MiB).
BLOCK_BYTES = 256 * 2**20
#: Above this many query x reference pairs (about 32k x 32k), ``method="auto"`` searches
#: approximately.
MAX_EXACT_PAIRS = 10**9
#: The approximate search compares each query with the references of this many cells (out of
#: about sqrt(n_reference)): recall@10 of 1.00 on 100k Gaussian-mixture vectors and 0.996 on 5.5k
#: CNN embeddings of digits (64-d PCA features), where 8 cells give 0.97 and 0.95.
N_PROBE = 16
#: At most this many query rows per block: tiles of a few MB stay in the CPU's caches between the
#: matrix product and the selection (faster than 1024 rows: docs/BENCHMARKS.md).
MAX_BLOCK_ROWS = 256
METHODS = ("auto", "exact", "approximate")


def _as_tensor(x: np.ndarray, name: str) -> torch.Tensor:
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), got shape {x.shape}")
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def _blocks(n_query: int, n_ref: int, block_bytes: int) -> Iterator[tuple[int, int, int, int]]:
    """(q0, q1, r0, r1) blocks whose float32 distance tile fits in ``block_bytes``, with at most
    ``MAX_BLOCK_ROWS`` query rows."""
    cells = max(1, block_bytes // 4)
    ref_step = min(n_ref, cells)
    query_step = max(1, min(cells // ref_step, MAX_BLOCK_ROWS))
    for q0 in range(0, n_query, query_step):
        for r0 in range(0, n_ref, ref_step):
            yield q0, min(q0 + query_step, n_query), r0, min(r0 + ref_step, n_ref)


def _ranking_distances(q: torch.Tensor, r: torch.Tensor, rn: torch.Tensor) -> torch.Tensor:
    """|r|^2 - 2 q.r per (query, reference) pair: ranks the references of each query row like the
    squared distance does (|q|^2 is the same along a row)."""
    return torch.addmm(rn[None, :], q, r.T, alpha=-2.0)


def _check_k(k: int, n_ref: int, exclude_self: bool) -> None:
    available = n_ref - 1 if exclude_self else n_ref
    if not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k > available:
        raise ValueError(
            f"k={k} neighbours requested but the reference set has only {available} "
            f"{'other ' if exclude_self else ''}samples: pass k <= {available} or add samples"
        )


def _search_sets(
    query: np.ndarray, reference: np.ndarray | None, k: int
) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """(query, reference, exclude_self) as float32 tensors, checked for a k-NN search;
    ``reference=None`` means the query set against itself."""
    exclude_self = reference is None
    q = _as_tensor(query, "query")
    r = q if exclude_self else _as_tensor(reference, "reference")
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"query has {q.shape[1]} features but reference has {r.shape[1]}: "
            "embed both with the same model"
        )
    _check_k(k, r.shape[0], exclude_self)
    return q, r, exclude_self


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
    q, r, exclude_self = _search_sets(query, reference, k)
    n_q, n_r = q.shape[0], r.shape[0]
    qn = (q * q).sum(dim=1)
    rn = qn if exclude_self else (r * r).sum(dim=1)
    best_d = torch.full((n_q, k), float("inf"))
    best_i = torch.zeros((n_q, k), dtype=torch.int64)
    blocks = list(_blocks(n_q, n_r, block_bytes))
    for b, (q0, q1, r0, r1) in enumerate(blocks):
        d = _ranking_distances(q[q0:q1], r[r0:r1], rn[r0:r1])
        if exclude_self and max(q0, r0) < min(q1, r1):  # the block holds some samples' own pairs
            own = torch.arange(max(q0, r0), min(q1, r1))
            d[own - q0, own - r0] = float("inf")
        kk = min(k, r1 - r0)
        if kk == 1:
            part_d, part = d.min(dim=1, keepdim=True)
        else:
            part_d, part = torch.topk(d, kk, dim=1, largest=False, sorted=True)
        part_d += qn[q0:q1, None]
        part += r0
        if r0 == 0 and r1 == n_r:  # the block spans every reference: nothing to merge
            best_d[q0:q1], best_i[q0:q1] = part_d, part
        else:
            cand_d = torch.cat([best_d[q0:q1], part_d], dim=1)
            cand_i = torch.cat([best_i[q0:q1], part], dim=1)
            order = torch.argsort(cand_d, dim=1, stable=True)[:, :k]
            best_d[q0:q1] = cand_d.gather(1, order)
            best_i[q0:q1] = cand_i.gather(1, order)
        report(progress, (b + 1) / len(blocks), "nearest neighbours")
    return best_d.clamp_(min=0.0).sqrt_().numpy(), best_i.numpy()


def approximate_knn(
    query: np.ndarray,
    reference: np.ndarray | None = None,
    k: int = 5,
    *,
    n_probe: int = N_PROBE,
    seed: int = 0,
    block_bytes: int = BLOCK_BYTES,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k nearest neighbours by an inverted-file search; same contract as
    :func:`exact_knn`.

    The reference rows are cut into ~sqrt(n) k-means cells (seeded); the queries of each cell are
    compared exactly with the references of the ``n_probe`` cells whose centres are nearest that
    cell's centre (more cells where those hold fewer than k references). Cost: about
    ``n_probe / sqrt(n_reference)`` of the exact search's.
    """
    q, r, exclude_self = _search_sets(query, reference, k)
    centres = _kmeans_centres(r, max(1, round(r.shape[0] ** 0.5)), seed)
    ref_cells = _nearest_centre(r, centres)
    query_cells = ref_cells if exclude_self else _nearest_centre(q, centres)
    ref_rows, ref_start, ref_count = _group_by_cell(ref_cells, len(centres))
    query_rows, query_start, query_count = (
        (ref_rows, ref_start, ref_count)
        if exclude_self
        else _group_by_cell(query_cells, len(centres))
    )
    # Cells in order of their centre's distance to each cell's centre (itself first).
    probe_order = torch.argsort(_ranking_distances(centres, centres, (centres**2).sum(1)), dim=1)
    reach = torch.cumsum(ref_count[probe_order], dim=1)  # references within the first j cells
    need = k + int(exclude_self)
    qn = (q * q).sum(dim=1)
    rn = qn if exclude_self else (r * r).sum(dim=1)
    best_d = torch.empty((q.shape[0], k))
    best_i = torch.empty((q.shape[0], k), dtype=torch.int64)
    cells = torch.nonzero(query_count).flatten().tolist()
    for done, cell in enumerate(cells):
        n_cells = max(n_probe, int(torch.searchsorted(reach[cell], need)) + 1)
        cand = torch.cat(
            [
                ref_rows[ref_start[p] : ref_start[p] + ref_count[p]]
                for p in probe_order[cell, :n_cells].tolist()
            ]
        )
        rows = query_rows[query_start[cell] : query_start[cell] + query_count[cell]]
        step = max(1, block_bytes // (4 * len(cand)))
        for i0 in range(0, len(rows), step):
            qi = rows[i0 : i0 + step]
            d = _ranking_distances(q[qi], r[cand], rn[cand])
            if exclude_self:
                d.masked_fill_(qi[:, None] == cand[None, :], float("inf"))
            part_d, part = torch.topk(d, k, dim=1, largest=False, sorted=True)
            best_d[qi] = part_d + qn[qi, None]
            best_i[qi] = cand[part]
        report(progress, (done + 1) / len(cells), "nearest neighbours (approximate)")
    return best_d.clamp_(min=0.0).sqrt_().numpy(), best_i.numpy()


def _kmeans_centres(x: torch.Tensor, n_cells: int, seed: int, n_iter: int = 10) -> torch.Tensor:
    """``n_cells`` k-means centres (Lloyd's iterations from random rows) fitted on at most
    64 rows per cell: cells only need to tile the data, not to be optimal."""
    gen = torch.Generator().manual_seed(seed)
    sample = x[torch.randperm(len(x), generator=gen)[: 64 * n_cells]]
    centres = sample[:n_cells].clone()
    for _ in range(n_iter):
        cells = _nearest_centre(sample, centres)
        sums = torch.zeros_like(centres).index_add_(0, cells, sample)
        counts = torch.bincount(cells, minlength=n_cells)
        filled = counts > 0
        centres[filled] = sums[filled] / counts[filled, None].to(sums.dtype)
    return centres


def _nearest_centre(x: torch.Tensor, centres: torch.Tensor, step: int = 65536) -> torch.Tensor:
    cn = (centres * centres).sum(dim=1)
    return torch.cat(
        [
            _ranking_distances(x[i : i + step], centres, cn).argmin(dim=1)
            for i in range(0, len(x), step)
        ]
    )


def _group_by_cell(
    cells: torch.Tensor, n_cells: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(row indices sorted by cell, each cell's first position in them, each cell's size)."""
    counts = torch.bincount(cells, minlength=n_cells)
    return torch.argsort(cells, stable=True), torch.cumsum(counts, 0) - counts, counts


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
        return approximate_knn(
            query, reference, k, seed=seed, block_bytes=block_bytes, progress=progress
        )
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
    q = _as_tensor(query, "query")
    r = _as_tensor(reference, "reference")
    rad2 = torch.from_numpy(np.square(np.asarray(radii, dtype=np.float64)).astype(np.float32))
    qn = (q * q).sum(dim=1)
    rn = (r * r).sum(dim=1)
    counts = torch.zeros(q.shape[0], dtype=torch.int64)
    for q0, q1, r0, r1 in _blocks(q.shape[0], r.shape[0], block_bytes):
        d = _ranking_distances(q[q0:q1], r[r0:r1], rn[r0:r1]).add_(qn[q0:q1, None])
        counts[q0:q1] += (d <= rad2[None, r0:r1]).sum(dim=1)
    return counts.numpy()
