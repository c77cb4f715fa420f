"""A zoo of functions with branches and loops, checked against finite differences and
autograd in every variant: joint and split motion, optimized and not."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import assert_gradients_match, autograd_jvp, finite_difference_jvp

rng = np.random.default_rng(1)


# --- branches ----------------------------------------------------------------------------


def if_else(x, y):
    if np.sum(x) > 0:
        z = x * y
    else:
        z = np.sin(x) + y
    return np.sum(z * z)


def if_elif_else(x):
    s = np.sum(x)
    if s > 1.0:
        y = x ** 2
    elif s > -1.0:
        y = np.exp(x)
    else:
        y = -x
    return np.sum(y)


def if_without_else(x, w):
    y = x * w
    if np.max(x) > 0.5:
        y = y * 2.0
    return np.sum(y)


def nested_ifs(x):
    y = x
    if x[0] > 0:
        if x[1] > 0:
            y = y * x
        else:
            y = np.tanh(y)
    else:
        y = y + 1.0
    return np.sum(y * y)


def conditional_expression(x, w):
    y = x * w if np.sum(w) > 0 else x / w
    return np.sum(y)


def boolean_conditions(x):
    y = x
    if x[0] > 0 and not x[1] > 0 or x[2] > 0:
        y = np.sin(y)
    return np.sum(y)


def early_return(x):
    if np.sum(x) < 0:
        return np.sum(x * x)
    y = np.exp(x)
    return np.sum(y)


def several_returns(x, a):
    if a > 0:
        if a > 1:
            return np.sum(x) * a
        return np.sum(x * x)
    return np.sum(np.cos(x))


def branch_on_scalar_argument(x, t):
    if t > 0.5:
        r = x * t
    else:
        r = x * (1.0 - t)
    return np.sum(r)


# --- loops --------------------------------------------------------------------------------


def for_range(x):
    y = x
    for _ in range(3):
        y = np.sin(y) + x
    return np.sum(y)


def for_range_start_stop_step(x):
    total = 0.0
    for i in range(1, 7, 2):
        total = total + np.sum(x ** i)
    return total


def for_over_rows(X, w):
    total = 0.0
    for row in X:
        total = total + np.tanh(row @ w)
    return total


def enumerate_zip(x, y):
    total = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        total = total + a * b * (i + 1.0)
    return total


def for_over_list_literal(x, y):
    total = 0.0
    for v in [x, y, x * y]:
        total = total + np.sum(v * v)
    return total


def for_enumerate(X):
    total = 0.0
    for i, row in enumerate(X):
        total = total + i * np.sum(row ** 2)
    return total


def for_zip(X, Y):
    total = 0.0
    for a, b in zip(X, Y):
        total = total + np.sum(a * b)
    return total


def for_reversed(X):
    acc = np.zeros(X.shape[1])
    for row in reversed(X):
        acc = np.tanh(acc + row)
    return np.sum(acc)


def rnn(h0, W, U, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h)


def while_loop(x):
    y = x
    n = 0
    while n < 4:
        y = np.sin(y) * 1.5
        n += 1
    return np.sum(y)


def while_data_dependent(x):
    y = x
    while np.sum(y) < 10.0:
        y = y * 1.7 + 0.1
    return np.sum(y * y)


def while_with_break(x):
    y = x
    k = 0
    while True:
        y = y * 1.2
        k += 1
        if np.sum(y) > 5.0 or k > 20:
            break
    return np.sum(y)


def for_with_break(x):
    s = 0.0
    for i in range(10):
        s = s + np.sum(x * i)
        if s > 20:
            break
        x = x * 1.1
    return s


def for_with_continue(x):
    total = 0.0
    for i in range(6):
        if i % 2 == 0:
            continue
        total = total + np.sum(np.sin(x * i))
    return total


def nested_loops(A, x):
    y = x
    for i in range(2):
        for j in range(3):
            y = np.tanh(A @ y) + x * j
        y = y * (i + 1)
    return np.sum(y)


def nested_loops_with_break(x):
    total = 0.0
    for i in range(4):
        for j in range(5):
            if j > i:
                break
            total = total + np.sum(x ** 2) * (j + 1)
    return total


def if_inside_loop(x):
    y = x
    for _ in range(5):
        if np.sum(y) > 0:
            y = y * 0.9 - 0.5
        else:
            y = np.exp(y)
    return np.sum(y)


def loop_inside_if(x):
    if np.sum(x) > 0:
        for _ in range(3):
            x = x * x + 0.1
    return np.sum(x)


def loop_zero_iterations(x, n):
    y = x * 2.0
    for _ in range(n):
        y = y * y
    return np.sum(y)


def accumulate_in_loop(W, X):
    loss = 0.0
    for i in range(X.shape[0]):
        z = W @ X[i]
        loss = loss + np.sum(z * z)
    return loss


def loop_reads_value_overwritten_later(x):
    prev = x
    cur = x * 2.0
    for _ in range(3):
        nxt = cur * prev
        prev = cur
        cur = np.sin(nxt)
    return np.sum(cur + prev)


def slices_in_loop(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        total = total + np.sum(x[i] * x[i + 1])
    return total


def loop_over_matrix_columns(A):
    total = 0.0
    for j in range(A.shape[1]):
        total = total + np.sum(np.exp(A[:, j]))
    return total


def loop_variable_read_after_a_dead_loop(x):
    count = 0.0
    for i in range(2):  # noqa: B007 - read after the loop
        count = count + 1.0  # never read: the loop does nothing for the gradient
    return x[i] * x[0]


def loop_variable_of_a_dead_loop_reused(x, s):
    unused = 0.0
    for i, e in enumerate(x):  # noqa: B007 - the point of the test
        unused = unused + e * e
    c = s
    for i in reversed(range(3)):  # pushes the old `i`: the dead loop above must not define it
        c = np.sin(c) + x[i] * c
    return c


def assign_then_break(x):
    y = x * 1.0
    for i in range(3):
        if x[i] > 0.5:
            y = x * 3.0  # read after the loop, not by the statement that follows the if
            break
        y = x * 2.0
    return np.sum(y * y)


def assign_then_continue(x):
    y = x * 1.0
    z = x * 0.5
    for i in range(3):
        z = np.sin(z) + y
        if x[i] > 0.5:
            y = z * 3.0  # read by the next iteration
            continue
        y = x * 2.0
    return np.sum(y * z)


def return_inside_loop(x, W):
    h = x * 1.0
    for _ in range(3):
        h = np.tanh(W @ h) + 0.5
        if np.sum(h) > 2.5:
            return np.sum(h * h)
    return np.sum(h)


def return_inside_nested_loops(x, W):
    total = 0.1
    for i in range(3):
        for j in range(3):
            total = total + x[i] * W[i, j]
            if total > 1.5:
                return total * total
        total = np.sin(total)
    return total + np.sum(x)


def return_inside_while(x):
    c = 0.5
    while c < 10.0:
        c = c * 1.5 + np.sum(x * x)
        if c > 3.0:
            if np.sum(x) > 1.0:
                return c * np.sum(x)
            return c
    return c * 2.0


def return_from_endless_loop(x):
    c = x * 1.0
    while True:
        c = c * 1.5 + 0.1
        if np.sum(c) > 3.0:
            return np.sum(c * c)


def self_assignment_in_branch(x):
    y = x * 2.0
    for _ in range(3):
        if np.sum(y) > 0:
            y = y
        else:
            y = y * 1.5
        y = np.sin(y)
    return np.sum(y)


def loop_index_rebinds_an_active_name(x):  # i's old value and adjoint end at the loop
    i = x * 2.0
    for i in range(1, 3):
        x = x * i
    return x * i


def parameter_reused_as_loop_index(x, n):  # the loop changes n: its old value comes back
    s = np.sum(x) * n
    for n in range(3):
        s = s + n * np.sum(x)
    return s


def enumerate_index_rebinds_an_active_name(x):
    k = x * 3.0
    s = np.sum(k)
    for k, w in enumerate([1.0, 2.0]):
        s = s + k * w * np.sum(x)
    return s


def loop_target_is_its_sequence(x):  # `for x in x`: the first x is iterated
    s = 0.0
    for x in x:  # noqa: B020
        s = s + x * x
    return s


def zip_strict(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=True):
        s = s + np.sin(a) * b
    return s


def nested_loops_one_index(x):  # the inner loop rebinds the outer index
    s = x * 1.0
    for i in range(3):
        t = s * i
        for i in range(2):
            t = t + x * i
        s = t * x + i
    return np.sum(s)


# An inner loop's index read after the loop, in an outer loop: the backward sweep runs the
# inner loop again and must give its index back the value it had (a bug search's cases,
# each a wrong gradient before)


def inner_index_read_after_its_loop(x):
    s = 1.0
    for _ in range(2):
        for j in range(2):
            s = s * x[j]
        s = s * x[j]
    return s


def inner_index_rebound_after_its_loop(x):
    s = 1.0
    for _ in range(2):
        for j in range(1):
            s = s * x[j]
        j = 1
        s = s * x[j]
    return s


def inner_index_as_a_number(x):
    s = x * 1.0
    for _ in range(2):
        for j in range(3):
            s = s + x * j
        s = s * x ** j
    return np.sum(s)


def inner_index_in_a_slice(x):
    s = 0.0
    for _ in range(2):
        for j in range(2):
            s = s + x[j] * s + x[j]
        s = s + np.sum(x[j:] ** 2)
    return s


def sibling_loops_share_an_index(x):
    s = 1.0
    for _ in range(2):
        for i, a in enumerate(x):
            s = s + a * i
        s = s * x[i]
        for i, a in enumerate(x[:2]):
            s = s * a + i
    return s


def inner_index_in_a_while_loop(x):
    s = 1.0
    n = 0
    while n < 2:
        for j in range(2):
            s = s * x[j] + 0.5
        s = s * x[j]
        n += 1
    return s


# A loop's temporary bound again later, without being read (a bug search's cases: the
# backward steps of the first loop added into the adjoint the step before left)


def temporary_bound_again_by_a_later_loop(x):
    s = 0.0
    for i in range(3):
        b = x * i
        s = s + b * b
    for _ in range(2):
        b = 0.0
    return s


def training_loss_then_a_validation_pass(w, X, y):
    loss = 0.0
    for i in range(X.shape[0]):
        pred = np.dot(X[i], w)
        err = pred - y[i]
        loss += err ** 2
    for i in range(2):
        pred = np.dot(X[i] * 0.5, w)
        err = pred - y[i]
    return loss


def layers_then_a_penalty_ignoring_biases(W1, b1, W2, b2, x):
    h = x
    for W, b in [(W1, b1), (W2, b2)]:
        h = np.tanh(W @ h + b)
    reg = 0.0
    for W, b in [(W1, b1), (W2, b2)]:  # noqa: B007  (b is bound again, never read)
        reg = reg + np.sum(W * W)
    return np.sum(h) + 0.1 * reg


def zip_in_zip_unpacked(W, X, Y):  # goes over W, X and Y together, as zip(W, X, Y) does
    total = 0.0
    for w, (x, (y, v)) in zip(W, zip(X, zip(Y, [1.0, 2.0, 3.0]))):
        total = total + np.sum(w * x * np.sin(y)) * v
    return total


def enumerate_zip_in_zip(W, X, Y):
    total = 0.0
    for i, (w, (x, y)) in enumerate(zip(W, zip(X, Y))):
        total = total + np.sum(w * x * y) * (i + 1.0)
    return total


CASES = [
    ("zip_in_zip_unpacked", zip_in_zip_unpacked,
     (rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))), (0, 1, 2)),
    ("enumerate_zip_in_zip", enumerate_zip_in_zip,
     (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(2, 2))), (0, 1, 2)),
    ("temporary_bound_again_by_a_later_loop", temporary_bound_again_by_a_later_loop,
     (1.5,), (0,)),
    ("training_loss_then_a_validation_pass", training_loss_then_a_validation_pass,
     (rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=4)), (0,)),
    ("layers_then_a_penalty_ignoring_biases", layers_then_a_penalty_ignoring_biases,
     (rng.normal(size=(5, 3)) * 0.5, rng.normal(size=5), rng.normal(size=(2, 5)) * 0.5,
      rng.normal(size=2), rng.normal(size=3)), (0, 1, 2, 3)),
    ("inner_index_read_after_its_loop", inner_index_read_after_its_loop,
     (rng.random(3) + 0.5,), (0,)),
    ("inner_index_rebound_after_its_loop", inner_index_rebound_after_its_loop,
     (rng.random(3) + 0.5,), (0,)),
    ("inner_index_as_a_number", inner_index_as_a_number, (rng.random(3) + 0.5,), (0,)),
    ("inner_index_in_a_slice", inner_index_in_a_slice, (rng.random(4) * 0.5,), (0,)),
    ("sibling_loops_share_an_index", sibling_loops_share_an_index, (rng.random(3) + 0.5,), (0,)),
    ("inner_index_in_a_while_loop", inner_index_in_a_while_loop, (rng.random(3) + 0.5,), (0,)),
    ("nested_loops_one_index", nested_loops_one_index, (rng.normal(size=3),), (0,)),
    ("zip_strict", zip_strict, (rng.normal(size=3), rng.normal(size=3)), (0, 1)),
    ("loop_index_rebinds_an_active_name", loop_index_rebinds_an_active_name, (1.5,), (0,)),
    ("parameter_reused_as_loop_index", parameter_reused_as_loop_index, (rng.normal(size=3), 2.0), (0, 1)),
    ("enumerate_index_rebinds_an_active_name", enumerate_index_rebinds_an_active_name,
     (rng.normal(size=3),), (0,)),
    ("loop_target_is_its_sequence", loop_target_is_its_sequence, (rng.normal(size=3),), (0,)),
    ("self_assignment_pos", self_assignment_in_branch, (np.array([0.3, 0.2, 0.1]),), (0,)),
    ("self_assignment_neg", self_assignment_in_branch, (np.array([-0.3, -0.2, -0.1]),), (0,)),
    ("if_else", if_else, (rng.normal(size=4), rng.normal(size=4)), (0, 1)),
    ("if_else_neg", if_else, (-np.abs(rng.normal(size=4)), rng.normal(size=4)), (0, 1)),
    ("if_elif_else_1", if_elif_else, (np.array([1.0, 0.8, 0.5]),), (0,)),
    ("if_elif_else_2", if_elif_else, (np.array([0.1, -0.2, 0.3]),), (0,)),
    ("if_elif_else_3", if_elif_else, (np.array([-1.0, -0.8, -0.5]),), (0,)),
    ("if_without_else", if_without_else, (rng.random(3), rng.normal(size=3)), (0, 1)),
    ("nested_ifs_a", nested_ifs, (np.array([0.5, 0.7, -0.2]),), (0,)),
    ("nested_ifs_b", nested_ifs, (np.array([0.5, -0.7, -0.2]),), (0,)),
    ("nested_ifs_c", nested_ifs, (np.array([-0.5, 0.7, -0.2]),), (0,)),
    ("conditional_expression", conditional_expression, (rng.normal(size=3), rng.random(3) + 0.5), (0, 1)),
    ("boolean_conditions", boolean_conditions, (np.array([0.3, -0.2, -0.1]),), (0,)),
    ("early_return_taken", early_return, (-np.abs(rng.normal(size=3)),), (0,)),
    ("early_return_not_taken", early_return, (np.abs(rng.normal(size=3)),), (0,)),
    ("several_returns_1", several_returns, (rng.normal(size=3), 2.0), (0, 1)),
    ("several_returns_2", several_returns, (rng.normal(size=3), 0.5), (0,)),
    ("several_returns_3", several_returns, (rng.normal(size=3), -1.0), (0,)),
    ("branch_on_scalar_argument", branch_on_scalar_argument, (rng.normal(size=3), 0.7), (0, 1)),
    ("for_range", for_range, (rng.normal(size=3),), (0,)),
    ("for_range_start_stop_step", for_range_start_stop_step, (rng.random(3) + 0.5,), (0,)),
    ("for_over_rows", for_over_rows, (rng.normal(size=(4, 3)), rng.normal(size=3)), (0, 1)),
    ("enumerate_zip", enumerate_zip, (rng.normal(size=3), rng.normal(size=4)), (0, 1)),
    ("for_over_list_literal", for_over_list_literal, (rng.normal(size=3), rng.normal(size=3)), (0, 1)),
    ("for_enumerate", for_enumerate, (rng.normal(size=(4, 2)),), (0,)),
    ("for_zip", for_zip, (rng.normal(size=(3, 2)), rng.normal(size=(4, 2))), (0, 1)),
    ("for_reversed", for_reversed, (rng.normal(size=(3, 2)),), (0,)),
    (
        "rnn",
        rnn,
        (rng.normal(size=4), rng.normal(size=(4, 4)) * 0.4, rng.normal(size=(4, 3)), rng.normal(size=(6, 3))),
        (0, 1, 2, 3),
    ),
    ("while_loop", while_loop, (rng.normal(size=3),), (0,)),
    ("while_data_dependent", while_data_dependent, (rng.random(3) + 0.2,), (0,)),
    ("while_with_break", while_with_break, (rng.random(3) + 0.2,), (0,)),
    ("for_with_break", for_with_break, (rng.random(3) + 0.5,), (0,)),
    ("for_with_continue", for_with_continue, (rng.normal(size=3),), (0,)),
    ("nested_loops", nested_loops, (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3)), (0, 1)),
    ("nested_loops_with_break", nested_loops_with_break, (rng.normal(size=3),), (0,)),
    ("if_inside_loop", if_inside_loop, (rng.normal(size=3) * 0.3,), (0,)),
    ("loop_inside_if", loop_inside_if, (rng.random(3) * 0.5,), (0,)),
    ("loop_zero_iterations", loop_zero_iterations, (rng.normal(size=3), 0), (0,)),
    ("loop_two_iterations", loop_zero_iterations, (rng.normal(size=3) * 0.5, 2), (0,)),
    ("accumulate_in_loop", accumulate_in_loop, (rng.normal(size=(2, 3)), rng.normal(size=(5, 3))), (0, 1)),
    ("loop_reads_value_overwritten_later", loop_reads_value_overwritten_later, (rng.normal(size=3) * 0.5,), (0,)),
    ("slices_in_loop", slices_in_loop, (rng.normal(size=(5, 2)),), (0,)),
    ("loop_over_matrix_columns", loop_over_matrix_columns, (rng.normal(size=(3, 4)),), (0,)),
    ("return_from_endless_loop", return_from_endless_loop, (np.array([0.3, 0.2, 0.4]),), (0,)),
    ("assign_then_break", assign_then_break, (np.array([0.2, 0.7, 0.9]),), (0,)),
    ("assign_then_continue", assign_then_continue, (np.array([0.2, 0.7, 0.4]),), (0,)),
    ("return_inside_loop_taken", return_inside_loop,
     (rng.random(3) + 0.5, np.eye(3) * 0.8 + 0.2), (0, 1)),
    ("return_inside_loop_not_taken", return_inside_loop,
     (rng.random(3) * 0.2, np.eye(3) * 0.2), (0, 1)),
    ("return_inside_nested_loops_taken", return_inside_nested_loops,
     (rng.random(3) + 0.3, rng.random((3, 3)) * 0.4 + 0.1), (0, 1)),
    ("return_inside_nested_loops_not_taken", return_inside_nested_loops,
     (rng.random(3) * 0.1, rng.random((3, 3)) * 0.1), (0, 1)),
    ("return_inside_while_first", return_inside_while, (np.array([0.6, 0.5, 0.4]),), (0,)),
    ("return_inside_while_second", return_inside_while, (np.array([0.3, 0.2, 0.1]),), (0,)),
    ("loop_variable_read_after_a_dead_loop", loop_variable_read_after_a_dead_loop,
     (rng.normal(size=3),), (0,)),
    ("loop_variable_of_a_dead_loop_reused", loop_variable_of_a_dead_loop_reused,
     (rng.random(3) + 0.3, 0.7), (0,)),
]

VARIANTS = {
    "joint": {},
    "joint-plain": {"optimized": False},
    "split": {"motion": "split"},
    "split-plain": {"motion": "split", "optimized": False},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_control_flow_gradients(name, f, args, wrt, variant):
    assert_gradients_match(f, args, wrt=wrt, **VARIANTS[variant])


# --- iterators zipped with what a loop goes over ----------------------------------------------


def zip_with_reversed(x, y):
    s = 0.0
    for a, b in zip(x, reversed(y)):
        s = s * a + b
    return s


def zip_of_zip(x, y, z):
    s = 0.0
    for a, (b, c) in zip(x, zip(y, z)):
        s = s * a + b * c
    return s


def zip_with_enumerate(x, y):
    s = 0.0
    for a, (i, b) in zip(x, enumerate(y)):
        s = s * a + b * i
    return s


@pytest.mark.parametrize("f", [zip_with_reversed, zip_of_zip, zip_with_enumerate])
def test_an_iterator_zipped_is_listed_once(f):
    """``reversed(y)``, ``zip(...)`` and ``enumerate(...)`` have no length and no index: the
    loop goes over them as a list (was a TypeError when the derivative ran)."""
    args = [rng.random(3) + 0.5 for _ in range(f.__code__.co_argcount)]
    assert_gradients_match(f, args, wrt=(0,), autograd=False)
    direction = rng.normal(size=3)
    tangent = tangent_lsp.jvp(f)(*args, direction)
    assert np.isclose(tangent, finite_difference_jvp(f, args, (0,), [direction]))


def zip_in_zip_over_lists(ws, xs, ys):
    tot = 0.0
    for w, (x, y) in zip(ws, zip(xs, ys)):
        tot += np.sum(w * x * y)
    return tot


def test_a_zip_in_a_zip_over_lists_of_arrays():
    """Was "no derivative rule for 'zip'": the inner zip is unpacked in the target."""
    args = [[rng.normal(size=3) for _ in range(2)] for _ in range(3)]
    grads = tangent_lsp.grad(zip_in_zip_over_lists, wrt=(0, 1, 2))(*args)
    ws, xs, ys = args
    expected = ([x * y for x, y in zip(xs, ys)], [w * y for w, y in zip(ws, ys)],
                [w * x for w, x in zip(ws, xs)])
    for got, want in zip(grads, expected):
        assert all(np.allclose(g, e) for g, e in zip(got, want, strict=True))


# --- forward mode: a parameter outside wrt that becomes active --------------------------------


def scaled_in_loop(x, y):
    for _ in range(3):
        y = y * x + y
    return np.sum(y)


def scaled_in_branch(x, y):
    if np.sum(x) > 0:
        y = y * x
    return np.sum(y * y)


def grown_in_while(x, y):
    while np.sum(y) < 10.0:
        y = y + x * x + 1.0
    return np.sum(y)


@pytest.mark.parametrize("f", [scaled_in_loop, scaled_in_branch, grown_in_while])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_forward_mode_parameter_outside_wrt_becomes_active(f, sign):
    """``y`` is not differentiated, but after ``y = y * x`` its tangent is ``x``'s influence:
    it starts at zero (it was read unassigned before: UnboundLocalError). Both branches."""
    x, y, v = sign * np.array([0.3, 0.5]), np.array([1.0, 2.0]), np.array([1.0, -0.5])
    ours = tangent_lsp.jvp(f, wrt=(0,))(x, y, v)
    np.testing.assert_allclose(ours, finite_difference_jvp(f, (x, y), (0,), (v,)), rtol=1e-6)
    theirs = autograd_jvp(f, (x, y), (0,), (v,))
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def dead_store_in_nested_else(x, b):
    if np.sum(b) > 0:
        v = b * x
    else:
        if np.sum(x) > 0:
            u = x * 2.0  # noqa: F841 (the shape of the user code that crashed)
        else:
            v = b  # overwritten below before any read: its adjoint is zero
        v = np.sin(x)
    return np.sum(v * v)


@pytest.mark.parametrize("signs", [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0)])
@pytest.mark.parametrize("optimized", [True, False])
def test_a_dead_store_on_one_path_gets_a_zero_adjoint_of_its_own_shape(signs, optimized):
    """The adjoint of `v = b` was zeros shaped like v's later value (2x3), added to b's
    (2x1): a broadcast error when both tests are false (hunt 29)."""
    sx, sb = signs
    rng = np.random.default_rng(7)
    x = sx * (0.5 + rng.random((2, 3)))
    b = sb * (0.5 + rng.random((2, 1)))
    assert_gradients_match(dead_store_in_nested_else, (x, b), wrt=(0, 1), optimized=optimized)
