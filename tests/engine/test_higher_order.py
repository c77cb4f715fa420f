"""Forward mode over reverse mode: Hessian-vector products, Hessians and Jacobians,
checked against autograd."""

import autograd
import numpy as np
import pytest

import tangent_lsp
from tests.engine import test_control_flow as cf
from tests.engine import test_programs as programs
from tests.oracle import ORDERS, _autograd_version, assert_second_derivative_matches

rng = np.random.default_rng(6)


def mlp(W1, W2, X, y):
    h = np.tanh(X @ W1)
    out = h @ W2
    r = out - y
    return np.mean(r * r)


def softmax_cross_entropy(W, X, Y):
    logits = X @ W
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * logp)


def least_squares(w, X, y):
    r = X @ w - y
    return 0.5 * (r.T @ r) + 0.05 * (w.T @ w)  # the backward sweep uses gram_adjoint


def gram_matrix(A, B):
    G = A.T @ A
    return np.sum(G * B)


CASES = [
    ("least_squares", least_squares,
     (rng.normal(size=3), rng.normal(size=(5, 3)), rng.normal(size=5)), 0),
    ("gram_matrix", gram_matrix, (rng.normal(size=(4, 3)), rng.normal(size=(3, 3))), 0),
    ("mlp", mlp, (rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(5, 3)),
                  rng.normal(size=(5, 2))), 0),
    ("softmax_cross_entropy", softmax_cross_entropy,
     (rng.normal(size=(3, 4)), rng.normal(size=(6, 3)), np.eye(4)[rng.integers(0, 4, 6)]), 0),
    ("logsumexp", programs.logsumexp, (rng.normal(size=5),), 0),
    ("elementwise_chain", programs.elementwise_chain, (rng.random(4) + 0.5, rng.random(4) + 0.5), 0),
    ("if_else", cf.if_else, (rng.normal(size=4), rng.normal(size=4)), 0),
    ("rnn", cf.rnn, (rng.normal(size=3), rng.normal(size=(3, 3)) * 0.4,
                     rng.normal(size=(3, 2)), rng.normal(size=(4, 2))), 1),
    ("while_loop", cf.while_loop, (rng.normal(size=3),), 0),
    ("for_with_break", cf.for_with_break, (rng.random(3) + 0.5,), 0),
    ("nested_loops", cf.nested_loops, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3)), 0),
]


def _autograd(f):
    return _autograd_version(f)


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_hessian_vector_product_matches_autograd(name, f, args, wrt):
    v = rng.normal(size=np.shape(args[wrt]))
    ours = tangent_lsp.hvp(f, wrt=wrt)(*args, v)
    expected = autograd.hessian_vector_product(_autograd(f), wrt)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,f,args,wrt", CASES[:5], ids=[c[0] for c in CASES[:5]])
def test_hessian_matches_autograd(name, f, args, wrt):
    ours = tangent_lsp.hessian(f, wrt=wrt)(*args)
    expected = autograd.hessian(_autograd(f), wrt)(*args)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


def tall(x):
    return np.concatenate([np.sin(x), x ** 2, np.tanh(x)])


def wide(W):
    return np.tanh(W @ np.ones(4))


@pytest.mark.parametrize("f,x", [(tall, rng.normal(size=3)), (wide, rng.normal(size=(2, 4)))],
                         ids=["tall-forward", "wide-reverse"])
def test_jacobian_matches_autograd(f, x):
    np.testing.assert_allclose(
        tangent_lsp.jacobian(f)(x), autograd.jacobian(_autograd(f))(x), rtol=1e-8, atol=1e-12
    )


def counter_powers(x):  # the counter, pushed beside arrays, is popped back: no tangent
    s = 0.0
    for k in range(3):
        s = s + np.sum(np.sin(x) ** (k + 1))
    return s


def keys_tested(params):
    loss = 0.0
    for k in params:
        if k.startswith("W"):
            loss = loss + np.sum(params[k] ** 2 * params["b"])
    return loss


def test_a_loop_counter_restored_from_the_tape_carries_no_tangent():
    x, v = np.array([-1.0, 0.5, 2.0]), rng.normal(size=3)  # sin(-1) < 0: log would be nan
    expected = autograd.hessian_vector_product(_autograd(counter_powers))(x, v)
    np.testing.assert_allclose(tangent_lsp.hvp(counter_powers)(x, v), expected, rtol=1e-8)
    params = {"W1": rng.normal(size=(2, 2)), "b": rng.normal(size=2)}
    u = {"W1": rng.normal(size=(2, 2)), "b": rng.normal(size=2)}
    ours = tangent_lsp.hvp(keys_tested)(params, u)
    gradient, eps = tangent_lsp.grad(keys_tested), 1e-6
    shifted = [{k: params[k] + sign * eps * u[k] for k in params} for sign in (1, -1)]
    up, down = gradient(shifted[0]), gradient(shifted[1])
    for key in params:
        np.testing.assert_allclose(ours[key], (up[key] - down[key]) / (2 * eps), rtol=1e-6, atol=1e-8)


def stacked_and_read_again(xs):  # the stack's adjoint, a tuple, meets a zero tangent
    hs = []
    for x in xs:
        hs.append(np.sin(x))
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[0])


def test_a_list_stacked_and_read_again_to_second_order():
    xs, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    expected = autograd.hessian_vector_product(_autograd(stacked_and_read_again))(xs, v)
    np.testing.assert_allclose(tangent_lsp.hvp(stacked_and_read_again)(xs, v), expected, rtol=1e-8)


def pair(x):
    return np.sin(x) * x, np.sum(x ** 2)


def listed(x):
    return [np.tanh(x), x[0] * x]


def named(x):
    return {"outer": np.outer(x, x), "norm": np.sqrt(np.sum(x * x))}


@pytest.mark.parametrize("f,keys", [(pair, (0, 1)), (listed, (0, 1)), (named, ("outer", "norm"))],
                         ids=["tuple", "list", "dict"])
def test_jacobian_of_several_outputs_has_their_structure(f, keys):
    x = rng.normal(size=3)
    ours = tangent_lsp.jacobian(f)(x)
    assert type(ours) is type(f(x))
    for key in keys:
        expected = autograd.jacobian(lambda v, key=key: _autograd(f)(v)[key])(x)
        np.testing.assert_allclose(ours[key], expected, rtol=1e-8, atol=1e-12)


def test_a_returned_list_stays_a_list():
    x, v = rng.normal(size=3), rng.normal(size=3)
    tangents = tangent_lsp.jvp(listed)(x, v)
    assert type(tangents) is list
    eps = 1e-6
    for ours, plus, minus in zip(tangents, listed(x + eps * v), listed(x - eps * v)):
        np.testing.assert_allclose(ours, (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-9)
    _, value = tangent_lsp.jvp(listed, preserve_result=True)(x, v)
    assert type(value) is list and np.allclose(value[1], listed(x)[1])
    _, value = tangent_lsp.vjp(listed, preserve_result=True)(x, (np.ones(3), np.ones(3)))
    assert type(value) is list and np.allclose(value[0], listed(x)[0])


def test_hvp_code_is_generated_source(capsys):
    tangent_lsp.hvp(mlp, verbose=1)
    printed = capsys.readouterr().out
    assert "def dmlp_dW1(" in printed and "def tdmlp_dW1_dW1(" in printed
    assert "def hvp_mlp(W1, W2, X, y, v):" in printed


STRAIGHT_LINE = [c for c in CASES if c[0] in ("mlp", "softmax_cross_entropy", "logsumexp",
                                              "elementwise_chain")]


@pytest.mark.parametrize("name,f,args,wrt", STRAIGHT_LINE, ids=[c[0] for c in STRAIGHT_LINE])
def test_reverse_over_reverse(name, f, args, wrt):
    """vjp of the gradient with seed v: v^T H = H v (the Hessian is symmetric)."""
    v = rng.normal(size=np.shape(args[wrt]))
    gradient = tangent_lsp.grad(f, wrt=(wrt,))
    second = tangent_lsp.vjp(gradient, wrt=(wrt,))
    ours = second(*args, 1.0, v)
    expected = autograd.hessian_vector_product(_autograd(f), wrt)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_reverse_over_forward(name, f, args, wrt):
    """The gradient of the directional derivative along v is H v."""
    v = rng.normal(size=np.shape(args[wrt]))
    directional = tangent_lsp.jvp(f, wrt=(wrt,))
    ours = tangent_lsp.grad(directional, wrt=(wrt,))(*args, v)
    expected = autograd.hessian_vector_product(_autograd(f), wrt)(*args, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


def test_forward_over_forward_gives_second_directional_derivatives():
    x, v = rng.normal(size=4), rng.normal(size=4)
    first = tangent_lsp.jvp(programs.logsumexp)
    second = tangent_lsp.jvp(first, wrt=(0,))  # d/dx of (grad . v) along v: v^T H v
    ours = second(x, v, v)
    expected = v @ autograd.hessian(_autograd(programs.logsumexp))(x) @ v
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name,f,args,wrt", CASES[:2], ids=[c[0] for c in CASES[:2]])
def test_gram_adjoint_gradients_match_autograd(name, f, args, wrt):
    from tests.oracle import assert_gradients_match

    import inspect
    import sys

    code = tangent_lsp.derive(inspect.getsource(sys.modules[__name__]), f.__name__).code
    assert "gram_adjoint(" in code
    assert_gradients_match(f, args, wrt=(wrt,))


def loop_with_a_scaled_product(x, w):
    y = w
    for _ in range(2):
        y = y + 0.5 * y * np.tanh(x)
    return np.sum(y * y)


def test_reverse_over_reverse_keeps_the_order_of_pops():
    """The gradient's own derivative pops the tape's adjoint list in several places;
    propagation once inlined one pop into a later statement, past another pop of
    the same list, and the two elements were swapped."""
    rng = np.random.default_rng(0)
    x, w, v = rng.uniform(0.3, 1.2, 3), rng.uniform(0.3, 1.2, 3), rng.normal(size=3)
    gradient = tangent_lsp.grad(loop_with_a_scaled_product, wrt=(0,))
    ours = tangent_lsp.vjp(gradient, wrt=(0,))(x, w, 1.0, v)
    expected = autograd.hessian_vector_product(_autograd_version(loop_with_a_scaled_product), 0)(x, w, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


def states_kept_in_a_list(x, w):
    acc = []
    y = x
    for _ in range(3):
        y = y * np.tanh(w) + w
        acc.append(y)
    y = acc[-1] + acc[0] * acc[1]
    return np.sum(y * y)


def test_hvp_through_a_tape_of_shapes():
    """The gradient pushes only shape_of(y) on its tape, so in forward over reverse the
    tape carries no tangents: popping it gives y a zero tangent, not a missing list."""
    rng = np.random.default_rng(1)
    x, w, v = rng.uniform(0.3, 1.2, 3), rng.uniform(0.3, 1.2, 3), rng.normal(size=3)
    ours = tangent_lsp.hvp(states_kept_in_a_list, wrt=0)(x, w, v)
    expected = autograd.hessian_vector_product(_autograd_version(states_kept_in_a_list), 0)(x, w, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


def joined_halves(x, w):
    t = np.concatenate([x[..., :1] * w[..., 1:2], np.sin(x[..., 1:])], axis=-1)
    return np.sum(t * t * w)


def test_hvp_through_concatenate():
    """The gradient unpacks split_like's pieces (``bx_i, bx_i2 = split_like(...)``); forward
    mode takes each piece's tangent from the tuple of tangents."""
    rng = np.random.default_rng(2)
    x, w, v = rng.uniform(0.3, 1.2, (2, 3)), rng.uniform(0.3, 1.2, (2, 3)), rng.normal(size=(2, 3))
    ours = tangent_lsp.hvp(joined_halves, wrt=0)(x, w, v)
    expected = autograd.hessian_vector_product(_autograd_version(joined_halves), 0)(x, w, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


def test_reverse_over_reverse_through_concatenate():
    """The gradient unpacks split_like's pieces; reverse mode treats the tuple as a list of
    adjoints and join_like puts them back together."""
    rng = np.random.default_rng(3)
    x, w, v = rng.uniform(0.3, 1.2, (2, 3)), rng.uniform(0.3, 1.2, (2, 3)), rng.normal(size=(2, 3))
    gradient = tangent_lsp.grad(joined_halves, wrt=(0,))
    ours = tangent_lsp.vjp(gradient, wrt=(0,))(x, w, 1.0, v)
    expected = autograd.hessian_vector_product(_autograd_version(joined_halves), 0)(x, w, v)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-8)


def norm_times_sum(x):
    return np.linalg.norm(x) * np.sum(x)


def row_norms_cubed(x):
    return np.sum(np.linalg.norm(x, axis=1) ** 3)


def columns_normalized(x):
    return np.sum(np.tanh(x / np.linalg.norm(x, axis=0, keepdims=True)))


def frobenius_squared(x):
    return np.linalg.norm(x, "fro") ** 2 + np.sum(np.sin(x))


@pytest.mark.parametrize("f, shape", [
    (norm_times_sum, (3,)), (row_norms_cubed, (2, 3)), (columns_normalized, (3, 2)),
    (frobenius_squared, (2, 2)),
])
def test_second_derivatives_through_the_two_norm(f, shape):
    """norm's adjoint g * x / y has its own tangent and adjoint rules. Reference: central
    differences of the (already checked) gradient along v, and autograd where it can
    (it fails on a keepdims norm)."""
    rng = np.random.default_rng(5)
    x, v = rng.normal(size=shape), rng.normal(size=shape)
    gradient, step = tangent_lsp.grad(f), 1e-6
    expected = (gradient(x + step * v) - gradient(x - step * v)) / (2 * step)
    if f is not columns_normalized:
        np.testing.assert_allclose(
            autograd.hessian_vector_product(_autograd_version(f), 0)(x, v), expected, rtol=1e-5
        )
    np.testing.assert_allclose(tangent_lsp.hvp(f)(x, v), expected, rtol=1e-5, atol=1e-7)
    reverse = tangent_lsp.vjp(gradient, wrt=(0,))(x, 1.0, v)
    np.testing.assert_allclose(reverse, expected, rtol=1e-5, atol=1e-7)


def product_squared(x):
    return np.prod(x) ** 2


def test_second_derivatives_through_prod_with_zeros():
    """prod's adjoint calls prod_others, whose tangent is prod's Hessian times a vector,
    exact with zeros (none, one, two, three of them). Reference: central differences of
    the gradient, a polynomial here."""
    rng = np.random.default_rng(8)
    gradient = tangent_lsp.grad(product_squared)
    for zeros in range(4):
        x = rng.uniform(0.5, 1.5, 5)
        x[:zeros] = 0.0
        v = rng.normal(size=5)
        expected = (gradient(x + 1e-6 * v) - gradient(x - 1e-6 * v)) / 2e-6
        np.testing.assert_allclose(tangent_lsp.hvp(product_squared)(x, v), expected, atol=1e-7)
        reverse = tangent_lsp.vjp(gradient, wrt=(0,))(x, 1.0, v)
        np.testing.assert_allclose(reverse, expected, atol=1e-7)


def test_a_runtime_helper_without_rules_is_named():
    """A third derivative through prod needs rules for prod_others_tangent, which has none:
    the error names the helper instead of failing somewhere inside its source."""
    second = tangent_lsp.jvp(tangent_lsp.grad(product_squared), wrt=(0,))
    with pytest.raises(tangent_lsp.DiffError, match="prod_others_tangent"):
        tangent_lsp.jvp(second, wrt=(0,))


def solve_squared(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


def solve_tanh(a, b):
    return np.sum(np.tanh(np.linalg.solve(a, b)))


def solve_shifted_gram(a, b):
    x = np.linalg.solve(a @ a.T + 2.0 * np.eye(3), b)
    return np.sum(x * b)


@pytest.mark.parametrize("f, b_shape", [
    (solve_squared, (3,)), (solve_squared, (3, 2)), (solve_tanh, (3,)), (solve_shifted_gram, (3,)),
])
@pytest.mark.parametrize("k", [0, 1])
def test_second_derivatives_through_solve(f, b_shape, k):
    rng = np.random.default_rng(8)
    args = [rng.normal(size=(3, 3)) + 3.0 * np.eye(3), rng.normal(size=b_shape)]
    v = rng.normal(size=np.shape(args[k]))
    gradient, step = tangent_lsp.grad(f, wrt=(k,)), 1e-6
    plus, minus = list(args), list(args)
    plus[k], minus[k] = args[k] + step * v, args[k] - step * v
    expected = (gradient(*plus) - gradient(*minus)) / (2 * step)
    if f is solve_squared:
        np.testing.assert_allclose(
            autograd.hessian_vector_product(_autograd_version(f), k)(*args, v), expected, rtol=1e-5
        )
    np.testing.assert_allclose(tangent_lsp.hvp(f, wrt=k)(*args, v), expected, rtol=1e-5, atol=1e-7)
    reverse = tangent_lsp.vjp(gradient, wrt=(k,))(*args, 1.0, v)
    np.testing.assert_allclose(reverse, expected, rtol=1e-5, atol=1e-7)


def einsum_matvec(a, x):
    return np.sum(np.einsum("ij,j->i", a, x) ** 2)


def einsum_matmul(a, x):
    return np.sum(np.tanh(np.einsum("ij,jk->ik", a, x)))


def einsum_trace(a, x):
    return np.einsum("ii->", a * x) ** 2


def einsum_rowwise(a, x):
    return np.sum(np.einsum("ij,ij->i", a, x) ** 3)


@pytest.mark.parametrize("f, shapes", [
    (einsum_matvec, ((2, 3), (3,))), (einsum_matmul, ((2, 3), (3, 2))),
    (einsum_trace, ((3, 3), (3, 3))), (einsum_rowwise, ((2, 3), (2, 3))),
])
@pytest.mark.parametrize("k", [0, 1])
def test_second_derivatives_through_einsum(f, shapes, k):
    """einsum's adjoint helper has tangent and adjoint rules (each operand's adjoint is
    multilinear). Reference: central differences of the gradient along v (autograd
    cannot take the HVP of a trace)."""
    rng = np.random.default_rng(6)
    args = [rng.normal(size=s) for s in shapes]
    v = rng.normal(size=shapes[k])
    gradient, step = tangent_lsp.grad(f, wrt=(k,)), 1e-6
    plus, minus = list(args), list(args)
    plus[k], minus[k] = args[k] + step * v, args[k] - step * v
    expected = (gradient(*plus) - gradient(*minus)) / (2 * step)
    np.testing.assert_allclose(tangent_lsp.hvp(f, wrt=k)(*args, v), expected, rtol=1e-5, atol=1e-7)
    reverse = tangent_lsp.vjp(gradient, wrt=(k,))(*args, 1.0, v)
    np.testing.assert_allclose(reverse, expected, rtol=1e-5, atol=1e-7)


def guarded_square(x):  # the gradient keeps the test: `cond = np.all(...) and not np.any(...)`
    if np.all(x > -1.0) and not np.any(x > 5.0) and x.all():
        return np.sum(x ** 3)
    return np.sum(x)


def test_a_test_with_and_or_of_truth_calls_to_second_order():
    x = np.array([0.3, -0.7])
    assert np.allclose(tangent_lsp.hessian(guarded_square)(x), np.diag(6.0 * x))
    assert np.allclose(tangent_lsp.hvp(guarded_square)(x, np.ones(2)), 6.0 * x)


# --- containers to second order (a bug search's cases; each failed before) -------------------


def _flat(value) -> np.ndarray:
    if isinstance(value, dict):
        return np.concatenate([_flat(value[k]) for k in sorted(value)])
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value])
    return np.ravel(np.asarray(value, dtype=float))


def cubes_and_square_of_sum(xs):
    u = 0.0
    for x in xs:
        u = u + np.sum(x ** 3)
    t = sum(xs)  # unsum hands each element an adjoint of its own
    return u + np.sum(t * t)


@pytest.mark.parametrize("order", ["reverse over reverse", "forward over reverse"])
def test_an_adjoint_spread_by_sum_is_one_array_per_element(order):
    """H e for f = sum_k sum(x_k^3) + sum((sum_k x_k)^2) is 6 x_k e_k + 2 sum_j e_j for each
    x_k. Reverse over reverse gave the first element's row to every element."""
    xs = [rng.normal(size=2), rng.normal(size=2)]
    e = [rng.normal(size=2), rng.normal(size=2)]
    expected = [6 * x * d + 2 * (e[0] + e[1]) for x, d in zip(xs, e)]
    gradient = tangent_lsp.grad(cubes_and_square_of_sum)
    if order == "reverse over reverse":
        ours = tangent_lsp.vjp(gradient)(xs, 1.0, e)
    else:
        ours = tangent_lsp.jvp(gradient)(xs, 1.0, e)
    assert np.allclose(_flat(ours), _flat(expected))


def dict_given_a_key_later(x):
    d = {"a": x}
    d["c"] = x * x
    t = 0.0
    for v in d.values():
        t = t + np.sum(v)
    return t


def test_a_dict_tangent_copied_stays_a_dict_to_second_order():
    """f = sum(x) + sum(x^2): <t, H u> = 2 t.u in every order (the tangent of `copied(dd)`
    was built as an array, and indexed by a key)."""
    from tests.oracle import ORDERS, second_derivative

    x, t, u = rng.normal(size=3), rng.normal(size=3), rng.normal(size=3)
    for order in ORDERS:
        assert np.isclose(second_derivative(order, dict_given_a_key_later, (x,), 0, 0, t, u),
                          2 * t @ u), order


def sines_of_a_ragged_list(L, x):
    t = 0.0
    for row in L:
        for v in row:
            t = t + np.sum(np.sin(v * x))
    return t


def test_reverse_over_forward_with_respect_to_a_ragged_list():
    """d/dL <grad_L f, e> = -sin(v x) x^2 e_v for each v (the adjoint of L was
    np.zeros(np.shape(L)), which a ragged list has not)."""
    L = [[rng.normal(size=3), rng.normal(size=3)], [rng.normal(size=3)]]
    e = [[rng.normal(size=3), rng.normal(size=3)], [rng.normal(size=3)]]
    x = rng.normal(size=3)
    ours = tangent_lsp.grad(tangent_lsp.jvp(sines_of_a_ragged_list))(L, x, e)
    expected = [[-np.sin(v * x) * x * x * d for v, d in zip(row, de)] for row, de in zip(L, e)]
    assert np.allclose(_flat(ours), _flat(expected))
    assert isinstance(ours, list) and len(ours[0]) == 2 and len(ours[1]) == 1


def affine_and_sine(p, x):
    a, (b, c) = p
    return np.sum(a * x + b * np.sin(c * x))


def test_a_zero_second_derivative_inside_a_container_keeps_its_shape():
    """d/dp of grad_a = x is zero: an array of zeros, not 0.0, in the gradient's structure."""
    p = (rng.normal(size=3), (rng.normal(size=3), rng.normal(size=3)))
    d = (rng.normal(size=3), (rng.normal(size=3), rng.normal(size=3)))
    x = rng.normal(size=3)
    a, (b, c) = p
    da, (db, dc) = d
    ours = tangent_lsp.jvp(tangent_lsp.grad(affine_and_sine))(p, x, 1.0, d)
    expected = [np.zeros(3), [np.cos(c * x) * x * dc,
                              np.cos(c * x) * x * db - b * np.sin(c * x) * x * x * dc]]
    assert np.shape(ours[0]) == (3,)
    assert np.allclose(_flat(ours), _flat(expected))


def scaled_by_a_row(A):
    P = np.eye(2)
    for _ in range(1):
        P = A @ P
        P = P * P[0]  # the first derivative writes `bP[0] += ...` into an unbroadcast
    return np.sum(P)


def kalman_like(A):
    P = np.eye(2)
    total = 0.0
    for _ in range(2):
        P = A @ P
        K = P[:, 0]
        P = P - np.outer(K, P[0])
        total = total + P[0, 0]
    return total + np.sum(P)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f", [scaled_by_a_row, kalman_like])
def test_rows_of_an_adjoint_written_in_place_to_second_order(order, f):
    """``bP = unbroadcast(...)`` then ``bP[0] += ...``: differentiated again, ``bP`` is an
    array (a helper's result read by position is a tuple only for the helpers that
    return one), not a tuple turned into a list (a wrong value, or a TypeError)."""
    A = np.array([[0.5, 0.2], [-0.3, 0.8]])
    assert_second_derivative_matches(order, f, (A,), 0, 0)


def _scaled(x, c=2.0, A=None):
    return np.sum(np.sin(x) * c) + 0.5 * np.sum(x ** 2)


def _weighted(x, y):
    return np.sum(x * y ** 2)


def test_hessian_and_jacobian_take_an_argument_by_name_or_left_to_its_default():
    """``wrt`` naming a parameter, or one the call leaves to its default: ``args[wrt]``
    raised an IndexError or a TypeError (``grad`` and ``hvp`` took both)."""
    x, y = np.array([0.3, -0.7]), np.array([1.0, 2.0])
    assert np.isclose(tangent_lsp.jacobian(_scaled, wrt=1)(x), np.sum(np.sin(x)))
    assert np.isclose(tangent_lsp.jacobian(_scaled, wrt="c")(x, c=3.0), np.sum(np.sin(x)))
    assert tangent_lsp.hessian(_scaled, wrt=1)(x) == 0.0
    np.testing.assert_allclose(tangent_lsp.hessian(_weighted, wrt="y")(x, y), np.diag(2 * x))
    np.testing.assert_allclose(tangent_lsp.hvp(_weighted, wrt="y")(x, y, y), 2 * x * y)
    np.testing.assert_allclose(tangent_lsp.jacobian(_weighted, wrt="y")(x, y), 2 * x * y)
    for wrt in ((0, 1), "z", 2, 1.0):
        with pytest.raises(TypeError, match="one argument of _weighted"):
            tangent_lsp.jacobian(_weighted, wrt=wrt)


def _dict_loss(params, x):
    return np.sum(np.tanh(params["w"] * x) * params["s"])


def test_hessian_and_jacobian_of_a_dict_argument_say_to_use_hvp():
    """They raised a TypeError from float() (a dict) or NumPy's inhomogeneous-shape
    ValueError (a tuple of arrays); hvp takes the dict as it is (hunt 35)."""
    from tangent_lsp.higher import hessian, hvp, jacobian

    params, x = {"w": np.array([0.3, -0.2, 0.5]), "s": 1.5}, np.array([1.0, 2.0, -1.0])
    for transform in (hessian, jacobian):
        with pytest.raises(tangent_lsp.DiffError, match="a dict of arrays: it needs one array"):
            transform(_dict_loss)(params, x)
    v = {"w": np.array([1.0, 0.0, -1.0]), "s": 0.5}
    step = 1e-6
    moved = [{k: params[k] + sign * step * v[k] for k in params} for sign in (1, -1)]
    g_plus, g_minus = (tangent_lsp.grad(_dict_loss)(p, x) for p in moved)
    product = hvp(_dict_loss)(params, x, v)
    for key in params:
        np.testing.assert_allclose(product[key], (g_plus[key] - g_minus[key]) / (2 * step),
                                   rtol=1e-5, atol=1e-8)
