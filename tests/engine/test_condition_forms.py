"""Every form of condition the engine reads (``and``/``or``/``not`` of any values,
chained comparisons, ``in``, masks) in ``if`` tests, ternaries, loops and comprehension
filters: the gradient and the JVP are generated code, which must be valid input again.
Each function is differentiated in both modes and the result differentiated again, in the
four orders, against central differences of its gradient."""

import numpy as np
import pytest

import tangent_lsp
from tests.oracle import ORDERS, assert_gradients_match, assert_jvp_matches, \
    assert_second_derivative_matches


def name_and_comparison(x, lam, use_reg):
    out = np.sum(x ** 3)
    if use_reg and lam > 0:  # a bare name as an operand: the lifted test is not a comparison
        out = out + lam * np.sum(x ** 2)
    return out


def ternary_with_and(x, flag):
    y = x ** 2 if flag and len(x) > 2 else x
    return np.sum(y * x)


def not_of_or(x, flag):
    if not (flag or x[0] > 5.0):
        return np.sum(np.sin(x) * x)
    return np.sum(x)


def or_of_not(x, flag, other):
    if flag or not other:
        return np.sum(np.exp(x) * x[0])
    return np.sum(x)


def active_operand(x, scale):
    if scale and x[0] < 2.0:  # a differentiated value as an operand: still only a test
        return np.sum(x ** 2) * scale
    return np.sum(x) * scale


def chained_comparison(x, lam):
    if -1.0 < x[0] < 1.0 <= lam:
        return np.sum(x ** 3) * lam
    return np.sum(x)


def membership(x, mode):
    if mode in ("l2", "both") and "l" in mode:
        return np.sum(x ** 2 * x[1])
    return np.sum(x)


def masks(x, flag):
    mask = (x > -2.0) & ~(x > 5.0) | (x < -10.0)
    if np.all(mask) and flag:
        return np.sum(np.where(mask, x ** 3, x))
    return np.sum(x)


def in_a_loop(x, flag):
    out = 0.0
    for i in range(4):  # the lifted test is saved on the tape each step
        if i % 2 == 0 and flag or i == 3:
            out = out + np.sum(x ** 2) * i
        else:
            out = out - np.sin(x[0])
    return out


def while_with_and(x, flag):
    s = 0.0
    i = 0
    while i < 3 and (flag or s < 1.0):
        s = s + np.sum(np.cos(x) * x)
        i += 1
    return s


def filtered_generator(x, flag):
    return sum(v ** 3 for v in x if flag and v > -5.0)


def nested_ternary(x, flag, other):
    y = x[0] * x[1] if flag and (other or x[0] > 0) else x[1]
    z = np.exp(x) if not flag or other else x ** 2
    return y * np.sum(z)


x3 = np.array([0.3, -1.2, 0.8])
CASES = [
    ("name_and_comparison", name_and_comparison, (x3, 0.1, True)),
    ("name_and_comparison_false", name_and_comparison, (x3, 0.1, False)),
    ("ternary_with_and", ternary_with_and, (x3, True)),
    ("not_of_or", not_of_or, (x3, False)),
    ("or_of_not", or_of_not, (x3, False, False)),
    ("active_operand", active_operand, (x3, 1.5)),
    ("chained_comparison", chained_comparison, (x3, 1.5)),
    ("membership", membership, (x3, "l2")),
    ("masks", masks, (x3, True)),
    ("in_a_loop", in_a_loop, (x3, True)),
    ("while_with_and", while_with_and, (x3, True)),
    ("filtered_generator", filtered_generator, (x3, True)),
    ("nested_ternary", nested_ternary, (x3, True, False)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,f,args", CASES, ids=IDS)
def test_first_derivatives_of_condition_forms(name, f, args):
    assert_gradients_match(f, args, autograd=False)
    assert_jvp_matches(f, args, autograd=False)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name,f,args", CASES, ids=IDS)
def test_condition_forms_to_second_order(name, f, args, order):
    code = tangent_lsp.grad(f).derivative.code + tangent_lsp.jvp(f).derivative.code
    assert_second_derivative_matches(order, f, args, 0, 0, context=code)


def test_a_scalar_differentiated_in_the_test_too():
    args = (x3, 1.5)
    for order in ORDERS:
        assert_second_derivative_matches(order, active_operand, args, 1, 0)
        assert_second_derivative_matches(order, active_operand, args, 0, 1)


def truth_in_a_name(x, flag):
    use = bool(flag and x[0] < 2.0)  # kept as written: the user's way to name such a test
    return np.sum(x ** 3) if use else np.sum(x)


def value_of_and(x, flag):
    scale = flag and x[0]  # x[0] when flag: a value that would carry a derivative
    return np.sum(x) * scale


def test_a_truth_value_in_a_name_to_second_order():
    args = (x3, True)
    assert_gradients_match(truth_in_a_name, args, autograd=False)
    assert_jvp_matches(truth_in_a_name, args, autograd=False)
    for order in ORDERS:
        assert_second_derivative_matches(order, truth_in_a_name, args, 0, 0)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_and_of_values_assigned_is_refused(mode):
    with pytest.raises(tangent_lsp.DiffError, match="'and'/'or' of values.*bool"):
        tangent_lsp.autodiff(value_of_and, mode=mode)
