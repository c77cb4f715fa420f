"""Nested lists, tuples and dicts of arrays (model parameters), for the oracles of the
container tests: flatten, move along a direction, pair two trees, compare structures."""

import numpy as np

import tangent_lsp


def leaves(tree) -> list:
    """The arrays and numbers of a tree, dict entries in key order."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def _rebuilt(tree, new_leaves):
    """``tree``'s structure with ``new_leaves`` (an iterator) in place of its leaves."""
    if isinstance(tree, dict):
        return {key: _rebuilt(tree[key], new_leaves) for key in sorted(tree)}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuilt(item, new_leaves) for item in tree)
    leaf = next(new_leaves)
    return leaf if isinstance(tree, np.ndarray) else float(leaf)


def moved(tree, direction, step: float):
    """``tree + step * direction``, leaf by leaf."""
    return _rebuilt(tree, iter([a + step * d for a, d in zip(leaves(tree), leaves(direction))]))


def random_like(tree, rng):
    return _rebuilt(tree, iter([rng.standard_normal(np.shape(a)) for a in leaves(tree)]))


def assert_same_structure(ours, reference, where: str = "") -> None:
    """Same keys and lengths (a list matches a tuple: adjoints of tuples are lists) and
    close leaves of the same shapes."""
    if isinstance(reference, dict):
        assert isinstance(ours, dict) and set(ours) == set(reference), where
        for key in reference:
            assert_same_structure(ours[key], reference[key], f"{where}[{key!r}]")
    elif isinstance(reference, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(reference), where
        for k, (a, b) in enumerate(zip(ours, reference)):
            assert_same_structure(a, b, f"{where}[{k}]")
    else:
        assert np.shape(ours) == np.shape(reference), f"{where}: {np.shape(ours)} vs {np.shape(reference)}"
        assert np.allclose(ours, reference, rtol=1e-6, atol=1e-8), f"{where}: {ours} vs {reference}"


def pair(tree_a, tree_b) -> float:
    """The inner product of two trees of the same structure."""
    return float(sum(np.sum(np.asarray(a) * np.asarray(b))
                     for a, b in zip(leaves(tree_a), leaves(tree_b), strict=True)))


def central(f, args, i: int, direction, eps: float = 1e-6):
    """Central difference of ``f(*args)`` along ``direction`` in argument ``i``."""
    plus, minus = list(args), list(args)
    plus[i], minus[i] = moved(args[i], direction, eps), moved(args[i], direction, -eps)
    return (f(*plus) - f(*minus)) / (2 * eps)


def first(result):
    return result[0] if isinstance(result, tuple) and len(result) == 1 else result


def second_derivative(f, args, order: str, i: int, j: int, seed: int = 8) -> tuple[float, float]:
    """``<d/dx_j <grad_i f, t>, u>`` by differentiating the generated gradient again
    (``order``: "forward over reverse" or "reverse over reverse"), and the same by central
    differences of the gradient along ``u``."""
    rng = np.random.default_rng(seed)
    t, u = random_like(args[i], rng), random_like(args[j], rng)
    gradient = tangent_lsp.grad(f, wrt=(i,))
    if order == "forward over reverse":
        ours = pair(tangent_lsp.jvp(gradient, wrt=(j,))(*args, 1.0, u), t)
    else:
        ours = pair(first(tangent_lsp.vjp(gradient, wrt=(j,))(*args, 1.0, t)), u)
    expected = central(lambda *a: pair(gradient(*a), t), args, j, u)
    return ours, expected
