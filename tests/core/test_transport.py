import numpy as np

from fiftyone_plugin.core.transport import unbalanced_sinkhorn


def test_balanced_sinkhorn_keeps_the_marginals():
    rng = np.random.default_rng(0)
    cost = rng.uniform(0, 1, (6, 5))
    a, b = np.full(6, 1 / 6), np.full(5, 1 / 5)
    plan = unbalanced_sinkhorn(cost, a, b, epsilon=0.1, tau_a=1e6, tau_b=1e6, max_iter=5000)
    np.testing.assert_allclose(plan.sum(1), a, atol=1e-4)
    np.testing.assert_allclose(plan.sum(0), b, atol=1e-4)


def test_unbalanced_sinkhorn_starves_a_far_away_target():
    cost = np.array([[0.0, 0.0], [100.0, 100.0]])  # nothing is near the second target
    plan = unbalanced_sinkhorn(cost, np.array([0.5, 0.5]), np.array([0.5, 0.5]), 0.05, 1.0, 1.0)
    assert plan[1].sum() < 1e-6 < plan[0].sum()
