"""Memory-budgeted nearest neighbours: every core module finds neighbours through here.

Distances are Euclidean. The exact search computes squared distances block by block with one
matrix product per block (``|q|^2 + |r|^2 - 2 q.r``) and keeps each row's k smallest
(``torch.topk``), so no more than ``block_bytes`` of distances exist at any time, whatever the
sizes of the two sets. The kernels run on the core's device (device.py: the CPU's threads or a
CUDA GPU). Above ``max_exact_pairs`` query x reference pairs (more on a GPU, where the exact
search is cheap), ``method="auto"`` switches to an approximate inverted-file search: the reference
set is cut into k-means cells and each query is compared exactly with the references of the cells
nearest its own (the same kernels; no index to compile or keep).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from ..progress import Progress, report
from . import device as dev
from .kmeans import kmeans_centres, nearest_centre, ranking_distances

#: Above this many query x reference pairs (about 32k x 32k), ``method="auto"`` searches
#: approximately on a CPU ...
MAX_EXACT_PAIRS = 10**9
#: ... and above this many (100k x 2M) on a GPU.
MAX_EXACT_PAIRS_GPU = 2 * 10**11
#: The approximate search compares each query with the references of this many cells (out of
#: about sqrt(n_reference)): recall@10 of 1.00 on 100k Gaussian-mixture vectors and 0.996 on 5.5k
#: CNN embeddings of digits (64-d PCA features), where 8 cells give 0.97 and 0.95.
N_PROBE = 16
#: At most this many query rows per block on a CPU: tiles of a few MB stay in the CPU's caches
#: between the matrix product and the selection (faster than 1024 rows: docs/BENCHMARKS.md). A
#: GPU takes blocks as large as its budget allows.
MAX_BLOCK_ROWS = 256
METHODS = ("auto", "exact", "approximate")


def _as_tensor(x: np.ndarray, name: str, device: torch.device) -> torch.Tensor:
    x = np.asarray(x) if not isinstance(x, torch.Tensor) else x
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), got shape {x.shape}")
    return dev.to_device(x, device)


def _blocks(
    n_query: int, n_ref: int, block_bytes: int, max_rows: int | None = MAX_BLOCK_ROWS
) -> Iterator[tuple[int, int, int, int]]:
    """(q0, q1, r0, r1) blocks whose float32 distance tile fits in ``block_bytes``, with at most
    ``max_rows`` query rows (None: no limit)."""
    cells = max(1, block_bytes // 4)
    ref_step = min(n_ref, cells)
    query_step = max(1, cells // ref_step)
    if max_rows is not None:
        query_step = min(query_step, max_rows)
    for q0 in range(0, n_query, query_step):
        for r0 in range(0, n_ref, ref_step):
            yield q0, min(q0 + query_step, n_query), r0, min(r0 + ref_step, n_ref)


def _budget(device: torch.device, block_bytes: int | None) -> tuple[int, int | None]:
    """(bytes per block, query rows per block) on ``device``."""
    on_cpu = device.type == "cpu"
    return (
        dev.block_bytes(device) if block_bytes is None else block_bytes,
        MAX_BLOCK_ROWS if on_cpu else None,
    )


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
    query: np.ndarray, reference: np.ndarray | None, k: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """(query, reference, exclude_self) as float32 tensors on ``device``, checked for a k-NN
    search; ``reference=None`` means the query set against itself."""
    exclude_self = reference is None
    q = _as_tensor(query, "query", device)
    r = q if exclude_self else _as_tensor(reference, "reference", device)
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"query has {q.shape[1]} features but reference has {r.shape[1]}: "
            "embed both with the same model"
        )
    _check_k(k, r.shape[0], exclude_self)
    return q, r, exclude_self


def _results(best_d: torch.Tensor, best_i: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    return best_d.clamp_(min=0.0).sqrt_().cpu().numpy(), best_i.cpu().numpy()


def exact_knn(
    query: np.ndarray,
    reference: np.ndarray | None = None,
    k: int = 5,
    *,
    block_bytes: int | None = None,
    device: str | torch.device | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of each query row among the reference rows.

    With ``reference=None`` the query set is searched against itself, excluding each sample itself.
    Returns ``(distances, indices)``, both (n_query, k), sorted by increasing Euclidean distance;
    distances are float32 in the units of the inputs. ``device``: where to compute (default: the
    core's device, see device.py); ``block_bytes``: memory of one distance tile (default: that
    device's budget).
    """
    device = dev.current(device)
    q, r, exclude_self = _search_sets(query, reference, k, device)
    block_bytes, max_rows = _budget(device, block_bytes)
    n_q, n_r = q.shape[0], r.shape[0]
    qn = (q * q).sum(dim=1)
    rn = qn if exclude_self else (r * r).sum(dim=1)
    best_d = torch.full((n_q, k), float("inf"), device=device)
    best_i = torch.zeros((n_q, k), dtype=torch.int64, device=device)
    blocks = list(_blocks(n_q, n_r, block_bytes, max_rows))
    for b, (q0, q1, r0, r1) in enumerate(blocks):
        d = ranking_distances(q[q0:q1], r[r0:r1], rn[r0:r1])
        if exclude_self and max(q0, r0) < min(q1, r1):  # the block holds some samples' own pairs
            own = torch.arange(max(q0, r0), min(q1, r1), device=device)
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
    return _results(best_d, best_i)


def approximate_knn(
    query: np.ndarray,
    reference: np.ndarray | None = None,
    k: int = 5,
    *,
    n_probe: int = N_PROBE,
    seed: int = 0,
    block_bytes: int | None = None,
    device: str | torch.device | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Approximate k nearest neighbours by an inverted-file search; same contract as
    :func:`exact_knn`.

    The reference rows are cut into ~sqrt(n) k-means cells (seeded); the queries of each cell are
    compared exactly with the references of the ``n_probe`` cells whose centres are nearest that
    cell's centre (more cells where those hold fewer than k references). Cost: about
    ``n_probe / sqrt(n_reference)`` of the exact search's.
    """
    device = dev.current(device)
    q, r, exclude_self = _search_sets(query, reference, k, device)
    block_bytes, _ = _budget(device, block_bytes)
    centres = kmeans_centres(r, max(1, round(r.shape[0] ** 0.5)), seed)
    ref_cells = nearest_centre(r, centres)
    query_cells = ref_cells if exclude_self else nearest_centre(q, centres)
    ref_rows, ref_start, ref_count = _group_by_cell(ref_cells, len(centres))
    query_rows, query_start, query_count = (
        (ref_rows, ref_start, ref_count)
        if exclude_self
        else _group_by_cell(query_cells, len(centres))
    )
    # Cells in order of their centre's distance to each cell's centre (itself first).
    probe_order = torch.argsort(ranking_distances(centres, centres, (centres**2).sum(1)), dim=1)
    reach = torch.cumsum(ref_count[probe_order], dim=1)  # references within the first j cells
    need = k + int(exclude_self)
    qn = (q * q).sum(dim=1)
    rn = qn if exclude_self else (r * r).sum(dim=1)
    best_d = torch.empty((q.shape[0], k), device=device)
    best_i = torch.empty((q.shape[0], k), dtype=torch.int64, device=device)
    # cell bookkeeping on the host: it drives the loop
    probe_order, reach = probe_order.cpu(), reach.cpu()
    ref_start, ref_count = ref_start.tolist(), ref_count.tolist()
    query_start, query_count = query_start.tolist(), query_count.tolist()
    cells = [c for c, n in enumerate(query_count) if n]
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
        r_cand, rn_cand = r[cand], rn[cand]
        for i0 in range(0, len(rows), step):
            qi = rows[i0 : i0 + step]
            d = ranking_distances(q[qi], r_cand, rn_cand)
            if exclude_self:
                d.masked_fill_(qi[:, None] == cand[None, :], float("inf"))
            part_d, part = torch.topk(d, k, dim=1, largest=False, sorted=True)
            best_d[qi] = part_d + qn[qi, None]
            best_i[qi] = cand[part]
        report(progress, (done + 1) / len(cells), "nearest neighbours (approximate)")
    return _results(best_d, best_i)


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
    block_bytes: int | None = None,
    max_exact_pairs: int | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """k nearest neighbours, exact (blocked) unless the search is too large and ``method="auto"``.

    Returns ``(distances, indices)``, (n_query, k) each, nearest first. ``reference=None`` searches
    the query set against itself without returning each sample as its own neighbour.
    ``max_exact_pairs``: default MAX_EXACT_PAIRS on a CPU, MAX_EXACT_PAIRS_GPU on a GPU.
    """
    if method not in METHODS:
        raise ValueError(f"Unsupported kNN method {method!r}. The available methods are {METHODS}")
    device = dev.current(device)
    if max_exact_pairs is None:
        max_exact_pairs = MAX_EXACT_PAIRS if device.type == "cpu" else MAX_EXACT_PAIRS_GPU
    n_ref = len(query) if reference is None else len(reference)
    if method == "approximate" or (method == "auto" and len(query) * n_ref > max_exact_pairs):
        return approximate_knn(
            query,
            reference,
            k,
            seed=seed,
            block_bytes=block_bytes,
            device=device,
            progress=progress,
        )
    return exact_knn(query, reference, k, block_bytes=block_bytes, device=device, progress=progress)


def count_within(
    query: np.ndarray,
    reference: np.ndarray,
    radii: np.ndarray,
    *,
    block_bytes: int | None = None,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """For each query row, how many reference balls contain it: #{i : |q - r_i| <= radii[i]}.

    Returns an int64 array (n_query,). Used by precision / recall / density (Naeem et al. 2020).
    """
    device = dev.current(device)
    q = _as_tensor(query, "query", device)
    r = _as_tensor(reference, "reference", device)
    block_bytes, max_rows = _budget(device, block_bytes)
    rad2 = dev.to_device(np.square(np.asarray(radii, dtype=np.float64)), device)
    qn = (q * q).sum(dim=1)
    rn = (r * r).sum(dim=1)
    counts = torch.zeros(q.shape[0], dtype=torch.int64, device=device)
    for q0, q1, r0, r1 in _blocks(q.shape[0], r.shape[0], block_bytes, max_rows):
        d = ranking_distances(q[q0:q1], r[r0:r1], rn[r0:r1]).add_(qn[q0:q1, None])
        counts[q0:q1] += (d <= rad2[None, r0:r1]).sum(dim=1)
    return counts.cpu().numpy()
