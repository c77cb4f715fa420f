"""Writes through views the engine did not know of (hunt 27): NumPy calls that return
their argument itself or a view of it, reported as views are, where they were taken for
copies and gave wrong gradients."""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine import DiffError


def contiguous(x):  # h is contiguous already: v is h
    h = np.sin(x) * 2.0
    v = np.ascontiguousarray(h)
    v[0] = 3.0
    return np.sum(h ** 2)


def fortran_order(x):
    h = np.sin(x) * 2.0
    v = np.asfortranarray(h)
    v[0] = 3.0
    return np.sum(h ** 2)


def any_array(x):
    h = np.tanh(x)
    v = np.asanyarray(h)
    v[0] = 0.0
    return np.sum(h ** 2)


def checked_finite(x):
    h = np.tanh(x)
    v = np.asarray_chkfinite(h)
    v[0] = 0.0
    return np.sum(h ** 2)


def required(x):
    h = np.tanh(x)
    v = np.require(h, requirements="C")
    v[0] = 0.0
    return np.sum(h ** 2)


def cast_without_copy(x):  # same dtype, copy=False: v is h
    h = np.tanh(x)
    v = h.astype(np.float64, copy=False)
    v[0] = 0.0
    return np.sum(h ** 2)


def array_without_copy(x):
    h = np.tanh(x)
    v = np.array(h, copy=False)
    v[0] = 0.0
    return np.sum(h ** 2)


def split_across(X):  # the halves are views of G
    G = np.tanh(X)
    i, f = np.hsplit(G, 2)
    i *= 0.5
    return np.sum(G ** 2)


def split_down(X):
    G = np.tanh(X)
    top, bottom = np.vsplit(G, 2)
    top *= 0.5
    return np.sum(G ** 2)


def rolled(X):
    H = np.tanh(X)
    a = np.rollaxis(H, 1)
    a[0, 0] = 3.0
    return np.sum(H ** 2)


X = np.array([[0.3, -1.2], [0.8, 0.1]])
REPORTED = [
    (contiguous, "v = np.ascontiguousarray(h)"), (fortran_order, "v = np.asfortranarray(h)"),
    (any_array, "v = np.asanyarray(h)"), (checked_finite, "v = np.asarray_chkfinite(h)"),
    (required, "v = np.require(h"), (cast_without_copy, "v = h.astype(np.float64, copy=False)"),
    (array_without_copy, "v = np.array(h, copy=False)"),
    (split_across, "i, f = np.hsplit(G, 2)"), (split_down, "top, bottom = np.vsplit(G, 2)"),
    (rolled, "a = np.rollaxis(H, 1)"),
]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f, line", REPORTED, ids=[f.__name__ for f, _ in REPORTED])
def test_a_write_through_a_view_made_by_a_call_is_reported(f, line, mode):
    derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
    with pytest.raises(DiffError) as error:
        derive(f)
    assert "a view of it" in str(error.value) and line in str(error.value)


def cast_with_a_copy(x):  # astype copies by default: h keeps its values
    h = np.tanh(x)
    v = h.astype(np.float64)
    v[0] = 0.0
    return np.sum(h ** 2) + np.sum(v)


def test_a_cast_that_copies_is_no_view():
    x = X[0].copy()
    eps, u = 1e-6, np.array([0.4, -0.9])
    expected = (cast_with_a_copy(x + eps * u) - cast_with_a_copy(x - eps * u)) / (2 * eps)
    gradient = tangent_lsp.grad(cast_with_a_copy)(x)
    assert np.isclose(np.sum(gradient * u), expected, rtol=1e-6)


# --- a view written in place changes an array the user's code does not read again, but
# the derivative does (hunt 27 bug 5: the doubled column of a gradient) ---------------------


def row_of_exp_doubled(X, W):  # exp's adjoint reads E
    E = np.exp(X @ W)
    P = E[0]
    P[1] *= 2.0
    return np.sum(P ** 2)


def row_of_an_unnamed_exp(X, W):
    P = np.exp(X @ W)[0]
    P[1] *= 2.0
    return np.sum(P ** 2)


def hidden_unit_reset(X, W):  # tanh's adjoint reads H
    H = np.tanh(X @ W)
    out = H @ W.T
    h0 = H[0]
    h0[0] = 0.0
    return np.sum(out ** 2) + np.sum(h0 ** 2)


def argument_written_through_a_slice(X, W):  # sin's adjoint reads X
    S = np.sin(X) @ W
    r = X[:, :1]
    r[0] = 0.0
    return np.sum(S) + np.sum(r * r)


def scaled_copy_written(X, W):  # y = X * 2.0: its adjoint reads nothing of y
    y = X * 2.0
    r = y[:1]
    r[0] = 0.0
    return np.sum(r * r) + np.sum(W * W)


XS, WS = np.array([[0.3, -1.2], [0.8, 0.1]]), np.array([[0.5, -0.4], [0.2, 0.9]])
CHANGED = [  # (function, what the error says, its hint, the arguments whose gradient reads it)
    (row_of_exp_doubled, "the derivative reads 'E' as it was before", "P = E[0].copy()", (0, 1)),
    (row_of_an_unnamed_exp, "'P' is a view of a value the derivative reads",
     "P = np.exp(X @ W)[0].copy()", (0, 1)),
    (hidden_unit_reset, "the derivative reads 'H' as it was before", "h0 = H[0].copy()", (0, 1)),
    (argument_written_through_a_slice, "the derivative reads 'X' as it was before",
     "r = X[:, :1].copy()", (0,)),  # d/dW reads sin(X), computed before the write
]


def _directional(f, args, i, u, eps=1e-6):
    plus, minus = list(args), list(args)
    plus[i], minus[i] = args[i] + eps * u, args[i] - eps * u
    return (f(*[a.copy() for a in plus]) - f(*[a.copy() for a in minus])) / (2 * eps)


@pytest.mark.parametrize("f, says, copy, reading", CHANGED, ids=[c[0].__name__ for c in CHANGED])
def test_a_view_written_under_a_value_the_gradient_reads_is_reported(f, says, copy, reading):
    u = np.array([[0.2, -0.7], [1.1, 0.4]])
    for wrt in (0, 1):
        if wrt not in reading:  # read before the change: right
            gradient = tangent_lsp.grad(f, wrt=(wrt,))(XS.copy(), WS.copy())
            expected = _directional(f, (XS, WS), wrt, u)
            assert np.isclose(np.sum(gradient * u), expected, rtol=1e-5, atol=1e-7)
            continue
        with pytest.raises(DiffError) as error:
            tangent_lsp.grad(f, wrt=(wrt,))
        assert says in error.value.message and copy in error.value.hint


@pytest.mark.parametrize("f", [c[0] for c in CHANGED] + [scaled_copy_written])
def test_forward_mode_is_right_there(f):
    u = np.array([[0.2, -0.7], [1.1, 0.4]])
    for i in (0, 1):
        tangent = tangent_lsp.jvp(f, wrt=(i,))(XS.copy(), WS.copy(), u)
        assert np.isclose(tangent, _directional(f, (XS, WS), i, u), rtol=1e-5, atol=1e-7)


def test_a_view_written_under_a_value_the_gradient_does_not_read_is_right():
    u = np.array([[0.2, -0.7], [1.1, 0.4]])
    for i in (0, 1):
        gradient = tangent_lsp.grad(scaled_copy_written, wrt=(i,))(XS.copy(), WS.copy())
        expected = _directional(scaled_copy_written, (XS, WS), i, u)
        assert np.isclose(np.sum(gradient * u), expected, rtol=1e-5, atol=1e-7)


# --- a shallow copy of a list or dict holds the same arrays (hunt 27 bug 4) -----------------


def _mse(p, X):
    return np.mean((X @ p["w"] - 1.0) ** 2)


def step_on_a_copied_dict(w, X):  # one SGD step on a copy: `-=` writes into params["w"]
    params = {"w": w * 1.0}
    new = params.copy()
    new["w"] -= 0.1 * X.T @ (X @ new["w"])
    return _mse(params, X) - _mse(new, X)


def step_on_a_dict_call(w, X):
    params = {"w": w * 1.0}
    new = dict(params)
    new["w"] -= 0.1 * X[0]
    return _mse(params, X) + _mse(new, X)


def list_copied_then_updated(w, X):
    hs = [w * 2.0, w * 3.0]
    h = hs.copy()
    h[0] -= X[0]
    return np.sum(hs[0] ** 2) + np.sum(h[0])


def sliced_copy_of_a_list(w, X):  # `hs[:].copy()` is as shallow as `hs[:]`
    hs = [w * 2.0, w * 3.0]
    h = hs[:].copy()
    h[0] *= X[0]
    return np.sum(hs[0] ** 2) + np.sum(h[0])


def list_joined_then_updated(w, X):  # `hs + []` copies the list, not its arrays
    hs = [w * 2.0, w * 3.0]
    h = hs + []
    h[0] *= X[0]
    return np.sum(hs[0] ** 2) + np.sum(h[0])


def list_extended_then_updated(w, X):
    hs = [w * 2.0, w * 3.0]
    h = hs + [w * X[1]]
    h[1] += X[0]
    return np.sum(hs[1] ** 2) + np.sum(h[2])


def list_joined_then_rebound(w, X):  # `h[0] = h[0] * X[0]`: a new array in h alone
    hs = [w * 2.0, w * 3.0]
    h = hs + []  # (not differentiated: joining lists is not, but this h is not read)
    h[0] = h[0] * X[0]
    return np.sum(hs[0] ** 2)


def step_on_a_copied_dict_rebound(w, X):  # `new["w"] = new["w"] - ...`: a new array
    params = {"w": w * 1.0}
    new = params.copy()
    new["w"] = new["w"] - 0.1 * X.T @ (X @ new["w"])
    return _mse(params, X) - _mse(new, X)


def list_sliced_then_updated(w, X):  # `hs[:]` of a list copies the list, not its arrays
    hs = [w * 2.0, w * 3.0]
    h = hs[:]
    h[0] *= X[0]
    return np.sum(hs[0] ** 2) + np.sum(h[0])


def list_sliced_then_rebound(w, X):  # a new array in h alone: hs[0] is w * 2.0 still
    hs = [w * 2.0, w * 3.0]
    h = hs[:]
    h[0] = np.sin(w) * X[0]
    return np.sum(hs[0] * h[0] + h[1])


def elements_copied(w, X):  # what the hint for a list's copy says
    hs = [w * 2.0, w * 3.0]
    h = [a.copy() for a in hs[:]]
    h[0] *= X[0]
    return np.sum(hs[0] ** 2) + np.sum(h[0])


SHALLOW = [
    (step_on_a_copied_dict, "'new' holds the same arrays as 'params' (new = params.copy())",
     'new["w"] = new["w"] - '),
    (step_on_a_dict_call, "'new' holds the same arrays as 'params' (new = dict(params))",
     'new["w"] = new["w"] - '),
    (list_copied_then_updated, "'h' holds the same arrays as 'hs' (h = hs.copy())",
     "h[0] = h[0] - X[0]"),
    (sliced_copy_of_a_list, "'h' holds the same arrays as 'hs' (h = hs[:].copy())",
     "h[0] = h[0] * X[0]"),
    (list_joined_then_updated, "'h' holds the same arrays as 'hs' (h = hs + [])",
     "h[0] = h[0] * X[0]"),
    (list_extended_then_updated, "'h' holds the same arrays as 'hs' (h = hs + [w * X[1]])",
     "h[1] = h[1] + X[0]"),
    (list_sliced_then_updated, "'h' holds the same arrays as 'hs' (h = hs[:])", "h[0] = h[0] * X[0]"),
]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f, says, hint", SHALLOW, ids=[s[0].__name__ for s in SHALLOW])
def test_an_array_changed_through_a_shallow_copy_is_reported(f, says, hint, mode):
    derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
    with pytest.raises(DiffError) as error:
        derive(f)
    assert says in error.value.message and hint in error.value.hint


@pytest.mark.parametrize("f", [step_on_a_copied_dict_rebound, elements_copied,
                               list_joined_then_rebound, list_sliced_then_rebound])
def test_a_copy_with_arrays_of_its_own_is_right(f):
    w, X, u = np.array([0.3, -0.8]), np.array([[1.0, 0.5], [-0.3, 0.9]]), np.array([0.6, 0.2])
    gradient = tangent_lsp.grad(f)(w.copy(), X)
    assert np.isclose(np.sum(gradient * u), _directional(f, (w, X), 0, u), rtol=1e-5, atol=1e-7)
    tangent = tangent_lsp.jvp(f)(w.copy(), X, u)
    assert np.isclose(tangent, _directional(f, (w, X), 0, u), rtol=1e-5, atol=1e-7)


# --- a loop's rows written in place: said at the write, with the rewrite that keeps the
# meaning first (hunt 27 bug 5: at the `def` line, suggesting `row = row / ...`) ------------


def rows_normalized(X):
    H = np.exp(X)
    for row in H:
        row /= row.sum()
    s = np.sum(H ** 2)
    return s


def test_rows_written_in_a_loop_are_reported_at_the_write():
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(rows_normalized)
    source_line = rows_normalized.__code__.co_firstlineno + 3  # `row /= row.sum()`
    assert error.value.line == source_line and error.value.col == 8
    assert error.value.hint.startswith("write into 'H' by index to change it")


# --- hunt 29: an entry rebound before its in-place update, an entry read out before the
# container's update, `.flat`, a list argument that broadcasts -------------------------------


def entry_rebound_then_scaled(w, X):  # new["w"] is a new array when `*=` writes into it
    params = {"w": w * 1.0, "b": w * 2.0}
    new = params.copy()
    new["w"] = new["w"] - 0.1 * X[0]
    new["w"] *= 2.0
    return np.sum(new["w"] * new["b"]) + np.sum(params["w"] ** 2)


def entry_read_out_then_updated(w, X):  # old is params["w"], which -= changes
    params = {"w": w * 1.0}
    old = params["w"]
    params["w"] -= 0.5 * X[0]
    return np.sum(old * X[1])


def element_read_out_then_scaled(w, X):
    hs = [w * 1.0, w * 2.0]
    a = hs[0]
    hs[0] *= X[0]
    return np.sum(a * X[1])


def written_through_flat(w, X):
    h = np.sin(w) * 1.0
    g = h.flat
    g[0] = X[0, 0]
    return np.sum(h * w)


def list_times_a_matrix(x, W):  # x a list of numbers: its gradient summed down to (2,)
    if np.sum(W) > 0:
        y = x * W
    else:
        y = x * W * 2.0
    return np.sum(y ** 2)


def test_an_entry_rebound_before_its_update_is_its_own_array():
    w, X, u = np.array([0.3, -0.8]), np.array([[1.0, 0.5], [-0.3, 0.9]]), np.array([0.6, 0.2])
    gradient = tangent_lsp.grad(entry_rebound_then_scaled)(w.copy(), X)
    expected = _directional(entry_rebound_then_scaled, (w, X), 0, u)
    assert np.isclose(np.sum(gradient * u), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, says", [
    (entry_read_out_then_updated, "'old' is a row of 'params' (old = params[\"w\"])"),
    (element_read_out_then_scaled, "'a' is a row of 'hs' (a = hs[0])"),
    (written_through_flat, "'h' is read after 'g', a view of it (g = h.flat)"),
])
def test_an_array_changed_through_its_entry_or_flat_is_reported(f, says):
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(f)
    assert says in error.value.message


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_list_of_numbers_gets_a_gradient_of_its_shape(sign):
    x, W = [0.5, -1.0], sign * np.array([[0.3, 0.8], [1.2, 0.1], [0.4, 0.7]])
    gradient = tangent_lsp.grad(list_times_a_matrix)(x, W)
    eps, expected = 1e-6, []
    for i in range(2):
        plus, minus = list(x), list(x)
        plus[i] += eps
        minus[i] -= eps
        expected.append((list_times_a_matrix(plus, W) - list_times_a_matrix(minus, W)) / (2 * eps))
    assert np.shape(gradient) == (2,) and np.allclose(gradient, expected, rtol=1e-6)


# --- hunt 31: writes the generated code gives arrays of their own are no reason to refuse ---


def rebound_then_element_written(x):  # y *= 2.0 is a new array in the generated code
    y = x * 1.0
    y[3] += x[0] * y[1]
    y[2:4] += x[:2]
    y *= 2.0
    y[0] -= x[0]
    return np.sum(y ** 3)


def row_read_then_columns_scaled(Y, s):  # r = Y[0] read, then Y itself written
    Y = Y.copy()
    Y[1] -= Y[0] * s
    Y[:, [0, 2]] *= s
    return np.sum(Y ** 3)


def columns_scaled_then_scattered(Y, s):
    Y = Y.copy()
    Y[:, [0, 2]] *= s
    Y[[0, 1, 0], [1, 1, 1]] += s * Y[2, :3]
    return np.sum(Y ** 3)


def test_an_array_rebound_by_an_augmented_assignment_is_its_own():
    x, u = np.array([0.3, -1.2, 0.8, 0.5]), np.array([0.7, 0.1, -0.4, 1.3])
    expected = _directional(lambda v: rebound_then_element_written(v), (x,), 0, u)
    gradient = tangent_lsp.grad(rebound_then_element_written)(x.copy())
    assert np.isclose(np.sum(gradient * u), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [row_read_then_columns_scaled, columns_scaled_then_scattered])
def test_the_array_itself_written_after_a_row_is_read_is_right(f):
    Y = np.array([[0.3, -1.2, 0.8], [0.5, 0.9, -0.4], [1.1, 0.2, 0.7]])
    expected = (f(Y.copy(), 0.7 + 1e-6) - f(Y.copy(), 0.7 - 1e-6)) / 2e-6
    assert np.isclose(tangent_lsp.grad(f, wrt=(1,))(Y.copy(), 0.7), expected, rtol=1e-5)


def list_copy_entry_rebound_to_another_then_scaled(x, w):  # hs2[0] = hs2[1]: hs's array
    hs = [x * 1.0, w * 1.0]
    hs2 = hs.copy()
    hs2[0] = hs2[1]
    hs2[0] *= 2.0
    return np.sum(hs[1] * x)


def test_messages_name_the_users_variables_not_their_versions():
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(list_copy_entry_rebound_to_another_then_scaled, wrt=(0, 1))
    assert "'hs2' was changed in place" in error.value.message
    assert "hs21" not in error.value.message


# --- copies a comprehension or list(d.values()) makes hold the dict's arrays (hunt 29 bug 1)


def values_listed_then_scaled(w, X):
    params = {"w": w * 1.0}
    vals = list(params.values())
    vals[0] *= X[0]
    return np.sum(vals[0] * params["w"])


def comprehension_copy_then_scaled(w, X):
    params = {"w": w * 1.0}
    new = {k: v for k, v in params.items()}
    new["w"] *= X[0]
    return np.sum(new["w"] * params["w"])


def comprehension_copy_then_rebound(w, X):  # the hint: a new array for the entry
    params = {"w": w * 1.0}
    new = {k: v for k, v in params.items()}
    new["w"] = new["w"] * X[0]
    return np.sum(new["w"] * params["w"])


@pytest.mark.parametrize("f, says", [
    (values_listed_then_scaled, "'vals' holds the arrays of 'params'"),
    (comprehension_copy_then_scaled, "'new' holds the arrays of 'params'"),
])
def test_a_copy_holding_a_dicts_arrays_written_into_is_reported(f, says):
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(f)
    assert says in error.value.message and "for a new array" in error.value.hint


def test_the_rebound_entry_is_right():
    w, X, u = np.array([0.3, -0.8]), np.array([[1.0, 0.5], [-0.3, 0.9]]), np.array([0.6, 0.2])
    gradient = tangent_lsp.grad(comprehension_copy_then_rebound)(w.copy(), X)
    expected = _directional(comprehension_copy_then_rebound, (w, X), 0, u)
    assert np.isclose(np.sum(gradient * u), expected, rtol=1e-5, atol=1e-7)


def slice_of_a_slice(a, b):
    hs = [a * 1.0, b * 1.0]
    h = hs[:][1:]
    h[0] *= 2.0  # doubles hs[1] too: the same array
    return np.sum(hs[1] * a)


def slice_then_slice(a, b):
    hs = [a * 1.0, b * 1.0]
    h = hs[:]
    k = h[1:]
    k[0] *= 2.0
    return np.sum(hs[1] * a)


def entry_of_a_copied_slice(a, b):
    hs = [a * 1.0, b * 1.0]
    k = hs[:][:]
    e = k[1]
    e[0] = a[0] * 5.0
    return np.sum(hs[1] * a)


def slice_of_a_list_of_lists(a, b):
    hs = [a * 1.0, b * 1.0]
    outer = [hs]
    inner = outer[:][0]  # hs itself
    inner[1] *= 2.0
    return np.sum(hs[1] * a)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f", [slice_of_a_slice, slice_then_slice, entry_of_a_copied_slice,
                               slice_of_a_list_of_lists])
def test_an_array_changed_through_slices_of_lists_is_reported(f, mode):
    """hunt 38: slices of slices held one level of hs only, and the write was lost."""
    derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
    with pytest.raises(DiffError):
        derive(f, wrt=(0, 1) if mode == "reverse" else (0,))
