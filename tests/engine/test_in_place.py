"""In-place updates, second names and sequence operators: each program's derivative is
either right (checked against central differences, both modes) or reported with a
DiffError when it is derived. Never a silently wrong number, never a crash at run time.

Found by a search over 374 small programs (session 7); each case failed before its fix.
"""

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp import DiffError
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
    gradient_change, second_derivative,
)


def _scale(v):
    v *= 2.0


def _record(xs, v):
    xs.append(v)


def helper_changes_argument(x):
    z = x * 1.0
    _scale(z)
    return np.sum(z)


def helper_appends_to_argument(x):
    xs = [x]
    _record(xs, x * 2.0)
    return np.sum(xs[-1])


def helper_only_logs(x):
    history = []
    _record(history, x)  # the list is never read: nothing to get wrong
    return np.sum(x * x)


def out_keyword(x):
    y = np.zeros(x.shape)
    np.multiply(x, 2.0, out=y)
    return np.sum(y)


def out_keyword_assigned(x):
    y = np.empty(x.shape)
    z = np.multiply(x, 2.0, out=y)
    return np.sum(z) + np.sum(y)


def positional_out(x):
    y = np.zeros(x.shape)
    np.exp(x, y)  # the second argument of a ufunc is its output
    return np.sum(y)


def reduction_positional_out(x):
    z = np.zeros(())
    y = np.sum(x, 0, None, z)  # the fourth argument of np.sum is its output
    return y + z


def std_ddof_by_position(x):  # np.std(a, axis, dtype, out, ddof): ddof is the fifth
    return np.std(x * x, 0, None, None, 1) + x.var(0, None, None, 1)


def repeated_index_assigned(x):  # NumPy keeps the last write to y[0]
    y = x * 1.0
    y[[0, 0]] = x * np.array([3.0, 5.0])
    return np.sum(y ** 2 * x)


def repeated_index_added(x):  # `+=` through a repeated index adds once, not twice
    y = x.copy()
    y[[0, 0, 1]] += x[[1, 0, 1]] * x[0]
    return np.sum(np.sin(y))


def index_array_assigned(x):
    idx = np.array([1, 0, 1])
    y = np.zeros(2)
    y[idx] = np.stack([x[0], x[1], x[0] * x[1]])
    return np.sum(y * y)


def stack_popped_while_its_length_is_read(x):  # len(st) must not move out of the loop
    st = [x, 2 * x, 3 * x]
    s = 0.0
    while len(st) > 0:
        v = st.pop()
        s = s + np.sum(v * v) * len(st)
    return s


def list_popped_for_its_effect(x):
    hs = [x, 2 * x, 3 * x]
    for _ in range(2):
        hs.pop()
    return np.sum(hs[-1] * x)


def _copy_into(a, v):
    np.copyto(a, v)


def _fill(a):
    a.fill(2.0)


def _scale_first(a):
    a[0] = a[0] * 3.0


def _through_another(a):
    _scale_first(a)


def helper_writes_through_another(x):
    y = x * 1.0
    _through_another(y)
    return np.sum(y ** 2)


def helper_copies_into_argument(x):
    y = x * 1.0
    _copy_into(y, x * 2.0)
    return np.sum(y)


def helper_fills_argument(x):
    y = x * 1.0
    _fill(y)
    return np.sum(y * x)


def seeds_the_generator(x):
    np.random.seed(0)  # a NumPy call for its effect that touches no array
    return np.sum(x * x)


def loop_rebinds_its_sequence(x):
    for value in x:  # Python iterates the first x
        x = x * value
    return np.sum(x)


def dict_key_added_in_a_loop(x):
    d = {}
    for i in range(2):
        d["a"] = x * (i + 1.0)
    return np.sum(d["a"] * x)


def dict_key_added_in_a_branch(x):
    d = {}
    if np.sum(x) > 0:
        d["b"] = x * 2.0
    else:
        d["b"] = x * 3.0
    return np.sum(d["b"] * x)


def row_written_through(X):
    r = X[0]
    r[0] = 0.0
    return np.sum(X)


def rows_written_in_a_loop(X):
    for row in X:
        row[0] = 0.0
    return np.sum(X * X)


def element_copied_then_written(x):
    old = x[0]  # a vector's element is a number: writing x does not change it
    x = x * 1.0
    x[0] = 3.0 * old
    return np.sum(x * x) + old


def list_joined(x):
    xs = [x] + [x * 2.0]
    return np.sum(xs[1])


def list_joined_to_a_name(x):
    xs = [x]
    ys = xs + [x * 2.0]
    return np.sum(ys[1])


def list_repeated(x):
    xs = [x]
    ys = xs * 2
    return np.sum(ys[1])


def tuple_repeated(x):
    t = (x,) * 2
    return np.sum(t[1] * x)


def shape_arithmetic(x):
    y = np.reshape(x, x.shape + (1,))  # a tuple joined: a shape, not a derivative
    return np.sum(y * y)


def stack_of_a_slice(x):
    xs = [x, x * 2.0]
    return np.sum(np.stack(xs[1:]))


def slice_of_a_list_assigned(x):
    xs = [x, x]
    xs[1:] = [x * 2.0]
    return np.sum(xs[1] * xs[0])


def dict_key_added(x):
    d = {}
    d["a"] = x
    return np.sum(d["a"] ** 2)


def dict_key_added_from_others(x):
    d = {"a": x}
    d["b"] = d["a"] * d["a"]
    return np.sum(d["b"])


def row_scaled_in_a_loop(x):  # each row of a matrix is a view: *= changes y
    y = np.outer(x, x)
    for r in y:
        r *= 2.0
    return np.sum(y)


def row_updated(x):
    y = np.outer(x, x)
    r = y[1]
    r -= x[0] ** 2
    return np.sum(y * y)


def row_scaled_by_a_sum(x):
    y = np.outer(x, x)
    r = y[0]
    r *= x[1] + 1.0
    return np.sum(y)


def unpacked_row_updated(x):
    y = np.outer(x, x)
    a, b = y
    a *= 3.0
    return np.sum(y * y)


def bump(a, i):  # writes into its argument
    a[i + 1] = a[i + 1] + a[i]
    return a[i]


def helper_writes_what_the_next_step_reads(x):  # was a silently wrong gradient
    y = x * 1.0
    s = 0.0
    for _ in range(2):
        e = y[0]  # the second step reads what bump wrote in the first
        s = s + e * bump(y, 0)
    return s


def row_written_then_read_the_next_step(x):  # was a silently wrong gradient
    y = np.outer(x, x)
    s = 0.0
    for _ in range(2):
        s = s + np.sum(x * y[0])
        r = y[0]
        r[1] = r[1] * x[0]
    return s


def element_doubled_each_step(x):  # by index into the array itself: taped, right
    h = x * 1.0
    s = 0.0
    for _ in range(3):
        s = s + np.sum(h * h)
        h[0] = h[0] * 2.0
    return s


# --- second names, views, rows and containers that share an array (a bug search's cases;
# each was a silently wrong gradient before it was reported)


def second_name_added_to(x):
    h = x
    h += 1.0  # x changes too
    return np.sum(x * x)


def second_name_added_to_in_a_loop(x):
    h = x * 1.0
    g = h
    for _ in range(3):
        g += x
    return np.sum(h * h)


def row_scaled_read_as_another_row(X):
    Y = X * 1.0
    a = Y[0]
    b = Y[0]
    a *= 2.0
    return np.sum(b * b)


def new_axis_view_written(X):
    Y = X * 1.0
    r = Y[None]
    r[0, 0, 1] = r[0, 0, 1] * 2.0
    return np.sum(Y * Y)


def view_method_written(X):
    Y = X * 1.0
    r = Y.view()
    r[0, 1] = r[0, 1] * 2.0
    return np.sum(Y * Y)


def ellipsis_view_written(X):
    Y = X * 1.0
    r = Y[..., 0]
    r[1] = r[1] * 2.0
    return np.sum(Y * Y)


def slice_of_a_row_scaled(X):
    Y = X * 1.0
    a = Y[0]
    b = a[1:]
    b *= 2.0
    return np.sum(Y * Y)


def list_element_added_to(x):
    h = x * 1.0
    xs = [h]
    xs[0] += x  # adds into h
    return np.sum(h * h)


def list_holds_one_array_twice(x):
    h = x * 1.0
    xs = [h, h]
    xs[0] += 1.0
    return np.sum(xs[1] * xs[1])


def list_of_rows_scaled(X):
    Y = X * 1.0
    xs = [Y[0], Y[1]]
    xs[0] *= 2.0
    return np.sum(Y * Y)


def appended_then_written(x):
    h = x * 1.0
    xs = []
    xs.append(h)
    h[0] = h[0] * 3.0
    return np.sum(xs[0] * xs[0])


def tuple_element_written(X):
    Y = X * 1.0
    t = (Y, 1)
    Z = t[0]
    Z[0, 0] = Z[0, 0] * 3.0
    return np.sum(Y * Y)


def rows_listed_then_written(X):
    Y = X * 1.0
    rs = list(Y)
    Y[0, 0] = Y[0, 0] * 4.0
    return np.sum(rs[0] * rs[0])


def ident(a):
    return a


def returned_argument_written(x):
    h = x * 1.0
    r = ident(h)
    r[0] = r[0] * 2.0
    return np.sum(h * h)


def set_first(a):
    a[0] = a[0] * a[1]


def helper_writes_a_column(X):
    Y = X * 1.0
    set_first(Y[:, 1])
    return np.sum(Y * Y)


def helper_writes_a_second_name(x):
    h = x * 1.0
    g = h
    set_first(g)
    return np.sum(h * h)


def helper_held_in_a_variable(x):
    h = x * 1.0
    g = set_first
    g(h)
    return np.sum(h * h)


def apply(fn, a):
    fn(a)


def helper_passed_a_helper(x):
    h = x * 1.0
    apply(set_first, h)
    return np.sum(h * h)


def doubled_sum(a):
    a *= 2.0
    return np.sum(a)


def helper_adds_into_its_argument(x):
    h = x * 1.0
    s = doubled_sum(h)
    return s + np.sum(h * h)


# ... and what shares nothing, or is written only through itself: right as before


def element_kept_then_written(x):  # a vector's element is a number
    h = x * 1.0
    e = h[0]
    h[0] = h[0] * 3.0
    return e * h[0]


def matrix_element_kept_then_written(x):
    Y = np.outer(x, x)
    e = Y[0, 1]  # two indexes into a matrix: a number
    Y[0, 1] = Y[0, 1] * 3.0
    return e * np.sum(Y)


def elements_zipped_and_written(x):
    h = x * 1.0
    g = x * 2.0
    for i, (a, b) in enumerate(zip(h, g)):
        h[i] = a * b
        g[i] = a + b
    return np.sum(h * g)


def names_swapped_then_added(x):
    a = x * 1.0
    b = x * 2.0
    for _ in range(3):
        a, b = b, a
        a += b
    return np.sum(a * b)


def list_elements_added_to(x):
    xs = [x * 1.0, x * 2.0]
    for i in range(3):
        xs[i % 2] += xs[(i + 1) % 2]
    return np.sum(xs[0] * xs[1])


def dict_entry_added_to(x):
    d = {"a": x * 1.0, "b": x * 2.0}
    for _ in range(3):
        d["a"] = d["a"] * d["b"]
        d["b"] += d["a"]
    return np.sum(d["a"] + d["b"])


def dict_entry_kept_then_replaced(x):  # an entry is replaced, never written into
    d = {"a": x * 1.0, "b": x * 2.0}
    a = d["a"]
    d["a"] = a * 3.0
    return np.sum(a * d["a"] * d["b"])


def list_entry_kept_then_replaced(x):
    xs = [x * 1.0, x * 2.0]
    a = xs[0]
    xs[0] = a * 3.0
    return np.sum(a * xs[0] * xs[1])


def renamed_before_written(x):
    h = x * 1.0
    for _ in range(2):
        g = h
        h = h * 1.0
        g[0] = g[0] * 3.0
    return np.sum(h * h)


def carried_through_a_slot(x):  # s goes into v[0], comes out as h; h is returned
    s = 0.0
    for _ in range(3):
        v = np.zeros(2)
        v[0] = s
        h = np.sin(v[0] + x[0]) * x[1]
        s = h
    return h


def carried_through_list_slots(x):
    h = 1.0
    s = 0.0
    for _ in range(2):
        v = [0.0, 0.0]
        v[0] = h
        v[1] = s
        h = (v[0] + v[1]) * x[0] + x[1]
        s = h * 1.0
    return h


def carried_through_a_dict_key(x):
    s = x[1]
    for _ in range(2):
        d = {}
        d["k"] = s
        h = np.cos(d["k"] * x[0])
        s = h
    return h


def rnn_filling_a_buffer(x):  # the state goes into a slice of the step's input
    W = np.array([[0.5, -0.3, 0.2, 0.1], [0.4, 0.6, -0.5, 0.3]])
    h = np.zeros(2)
    for t in range(3):
        z = np.zeros(4)
        z[:2] = h
        z[2:] = x * (t + 1.0)
        hn = np.tanh(W @ z)
        h = hn
    return np.sum(hn)


def _newton(x):
    y, n = x, 0
    while True:
        y = 0.5 * (y + 2.0 / y)
        n += 1
        if n > 2:
            return y, n


def returned_from_a_loop_after_an_update(x):  # hunt 48: `n += 1` after the return was
    y, n = _newton(x * x + 1.0)  # taken for a change of what the return gave
    return np.sum(y) * n


def _grown(y):
    for i in range(5):
        y += 0.1 * y ** 2
        if i >= 2:
            return y
    return y * 2.0


def returned_from_a_for_loop(x):
    return np.sum(_grown(x * 1.0))


def broken_out_of(x):
    y = x * 1.0
    for i in range(4):
        r = y * 2.0
        if i == 2:
            break
        y += r
    return np.sum(r * y)


def changed_unless_broken_out_of(x):  # the loop may end without its break: r is changed
    y = x * 1.0
    for i in range(3):
        r = y
        if i == 5:
            break
        y += x
    return np.sum(r * r)


BOTH = ("reverse", "forward")
# (function, the modes it is right in)
RIGHT = [(f, BOTH) for f in (
    helper_only_logs, element_copied_then_written, shape_arithmetic, stack_of_a_slice,
    slice_of_a_list_assigned, dict_key_added, dict_key_added_from_others, seeds_the_generator,
    loop_rebinds_its_sequence, dict_key_added_in_a_loop, dict_key_added_in_a_branch,
    std_ddof_by_position, repeated_index_assigned, repeated_index_added, index_array_assigned,
    stack_popped_while_its_length_is_read, list_popped_for_its_effect,
    element_doubled_each_step, element_kept_then_written, matrix_element_kept_then_written,
    elements_zipped_and_written, names_swapped_then_added, list_elements_added_to,
    dict_entry_added_to, renamed_before_written, dict_entry_kept_then_replaced,
    list_entry_kept_then_replaced, carried_through_a_slot, carried_through_list_slots,
    carried_through_a_dict_key, rnn_filling_a_buffer, list_joined, list_joined_to_a_name,
    returned_from_a_loop_after_an_update, returned_from_a_for_loop, broken_out_of,
)]
def windows_then_written(x):  # sliding windows are a view of the array
    y = x * 1.0
    w = np.lib.stride_tricks.sliding_window_view(y, 2)
    y[0] = 0.0
    return np.sum(w * w)


# (function, what the error says, the modes that report it)
REPORTED = [
    (windows_then_written, "'w' is a view of 'y'", BOTH),
    (helper_changes_argument, "changes 'z' in place", BOTH),
    (helper_appends_to_argument, "changes 'xs' in place", BOTH),
    (out_keyword, "out=", BOTH),
    (out_keyword_assigned, "out=", BOTH),
    (positional_out, "result is not used", BOTH),
    (reduction_positional_out, "output argument", BOTH),
    (helper_copies_into_argument, "changes 'y' in place", BOTH),
    (helper_fills_argument, "changes 'y' in place", BOTH),
    (helper_writes_through_another, "changes 'y' in place", BOTH),
    (row_written_through, "a view of it (r = X[0])", BOTH),
    (rows_written_in_a_loop, "changed in place", BOTH),
    (row_scaled_in_a_loop, "'y' is read after 'r', a view of it (for r in y:)", BOTH),
    (helper_writes_what_the_next_step_reads,
     "'y' is read after a call changed it in place (s = s + e * bump(y, 0))", BOTH),
    (row_written_then_read_the_next_step, "'y' is read after 'r', a view of it (r = y[0])", BOTH),
    (second_name_added_to, "'x' is read after 'h', another name for it (h = x)", BOTH),
    (second_name_added_to_in_a_loop, "another name for it (g = h)", BOTH),
    (changed_unless_broken_out_of, "read after 'y' was changed in place", BOTH),
    (row_scaled_read_as_another_row, "'b' is a row of 'Y' (b = Y[0])", BOTH),
    (new_axis_view_written, "a view of it (r = Y[None])", BOTH),
    (view_method_written, "a view of it (r = Y.view())", BOTH),
    (ellipsis_view_written, "a view of it (r = Y[..., 0])", BOTH),
    (slice_of_a_row_scaled, "a view of it (b = a[1:])", BOTH),
    (list_element_added_to, "'h' is held by 'xs' (xs = [h])", BOTH),
    (list_holds_one_array_twice, "changed in place (xs[0] += 1.0)", BOTH),
    (list_of_rows_scaled, "changed in place (xs[0] *= 2.0)", BOTH),
    (appended_then_written, "put a copy in: xs.append(h.copy())", BOTH),
    (tuple_element_written, "a view of it (Z = t[0])", BOTH),
    (rows_listed_then_written, "put a copy in: rs = list(Y.copy())", BOTH),
    (returned_argument_written, "(r = ident(h))", BOTH),
    (helper_writes_a_column, "'set_first' changes 'Y[:, 1]' in place", BOTH),
    (helper_writes_a_second_name, "'set_first' changes 'g' in place", BOTH),
    (helper_held_in_a_variable, "'g' may change 'h' in place", BOTH),
    (helper_passed_a_helper, "'apply' changes 'h' in place", BOTH),
    (helper_adds_into_its_argument, "a call changed it in place (s = doubled_sum(h))", BOTH),
    (row_updated, "write r = r - x[0] ** 2 for a new array", BOTH),
    (unpacked_row_updated, "a view of it (a, b = y)", BOTH),
    (row_scaled_by_a_sum, "write r = r * (x[1] + 1.0) for a new array", BOTH),
    (list_repeated, "'*' with a list or tuple", BOTH),
    (tuple_repeated, "'*' with a list or tuple", BOTH),
]
X = np.array([[0.7, -1.3], [0.4, 1.1]])
V = np.array([[1.0, 0.5], [-0.5, 2.0]])


def _central(f, x, v, eps=1e-6):
    return (f(x + eps * v) - f(x - eps * v)) / (2 * eps)


@pytest.mark.parametrize("f, modes", RIGHT, ids=[f.__name__ for f, _ in RIGHT])
@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "plain"])
def test_right(f, modes, optimized):
    x, v = (X[0].copy(), V[0].copy())
    expected = _central(f, x, v)
    if "reverse" in modes:
        gradient = tangent_lsp.grad(f, optimized=optimized)(x.copy())
        assert np.isclose(np.sum(gradient * v), expected, rtol=1e-5, atol=1e-7)
    if "forward" in modes:
        tangent = tangent_lsp.jvp(f, optimized=optimized)(x.copy(), v)
        assert np.isclose(tangent, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, says, modes", REPORTED, ids=[f.__name__ for f, _, _ in REPORTED])
def test_reported_when_derived(f, says, modes):
    for mode in modes:
        derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
        with pytest.raises(DiffError) as error:
            derive(f)
        assert says in str(error.value), mode


def element_cubed(x):  # its gradient writes into a copy (`bx = copied(bx); bx[0] += ...`)
    return x[0] ** 3 + np.sum(x ** 2)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f", [
    repeated_index_assigned, repeated_index_added, index_array_assigned, element_cubed,
    carried_through_a_slot, rnn_filling_a_buffer,
])
def test_repeated_index_to_second_order(f, order):
    x, t, u = X[0].copy(), V[0].copy(), np.array([0.3, -1.1])
    expected = np.sum(gradient_change(f, (x,), 0, 0, u) * t)
    assert np.isclose(second_derivative(order, f, (x,), 0, 0, t, u), expected, rtol=1e-5, atol=1e-6)


# --- elements of a tuple or list of separate objects are not rows of one array -------------


def _pair(x):  # two fresh arrays in a tuple
    return x * 2.0, np.sin(x)


def _two_lists(x):
    return [x], [x * 2.0]


def fresh_pair_written(x):  # writing into one does not change the other
    a, b = _pair(x)
    a[0] = 1.0
    return np.sum(a * b)


def fresh_lists_appended(x):
    a, b = _two_lists(x)
    a.append(x ** 2)
    return np.sum(a[1] * b[0])


def literal_rows_appended(x):  # a and b are different lists of one literal
    (a, b), c = ([], [x]), []
    a.append(x ** 2)
    c.append(b[0])
    return np.sum(a[0] * c[0])


SEPARATE = [fresh_pair_written, fresh_lists_appended, literal_rows_appended]


@pytest.mark.parametrize("f", SEPARATE)
def test_separate_elements_first_order(f):
    x = np.array([0.7, -1.3, 0.4])
    for options in ({}, {"optimized": False}, {"motion": "split"}):  # autograd: no writes
        assert_gradients_match(f, (x,), autograd=False, **options)
    assert_jvp_matches(f, (x,), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f", SEPARATE)
def test_separate_elements_second_order(f, order):
    assert_second_derivative_matches(order, f, (np.array([0.7, -1.3, 0.4]),), 0, 0)


def _both(a, b):  # returns its arguments themselves
    return a, b


def _twice(a):
    return a, a


def one_argument_returned_twice(x):
    h = x * 1.0
    a, b = _twice(h)
    a[0] = 3.0  # b is h, as a is
    return np.sum(b * b)


def _outer(x):  # an array: its rows are views of one matrix
    return np.outer(x, x)


def tuple_of_arguments_written(x):
    h = x * 1.0
    a, b = _both(h, x)
    a[0] = 3.0  # a is h
    return np.sum(h * b)


def rows_of_a_returned_matrix_written(x):
    a, b = _outer(x)
    a[0] = 3.0
    return np.sum(a * b)


@pytest.mark.parametrize("f, says", [
    (tuple_of_arguments_written, "'h' is read after 'a'"),
    (one_argument_returned_twice, "'b' is a view of 'h'"),
    (rows_of_a_returned_matrix_written, "a, b = _outer(x); b = b.copy()"),
])
def test_still_reported(f, says):
    for derive in (tangent_lsp.grad, tangent_lsp.jvp):
        with pytest.raises(DiffError) as error:
            derive(f)
        assert says in str(error.value)
        assert ").copy()" not in str(error.value)  # `pair(x).copy()`: not for a tuple
