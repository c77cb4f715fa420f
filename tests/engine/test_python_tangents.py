"""Python builtins and ``math``, through the engine's forward mode, checked numerically.

Same table format as ``test_numpy_tangents.py``. autograd cannot trace ``math``
functions, so those cases compare with finite differences only.
"""

import ast
import inspect
import math

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.engine.templates import library
from tests.engine import python_functions as py
from tests.oracle import assert_jvp_matches

rng = np.random.default_rng(0)
A34 = rng.standard_normal((3, 4))
V4 = rng.standard_normal(4)
W34 = rng.standard_normal((3, 4))
W4 = rng.standard_normal(4)


def case(function, *args, wrt=(0,), autograd=True, name=""):
    return pytest.param(function, args, wrt, autograd, id=function.__name__ + name)


# --- builtins -------------------------------------------------------------------------------


def b_abs_array(x):
    return abs(x) * W34


def b_sum_array(x):
    return sum(x) * W4


def b_sum_arrays(a, b):
    return sum([a, W34, b])  # a constant element, and a row vector that broadcasts


def b_sum_broadcast(a):
    return sum([a, W34])


def b_max_constant_wins(a):
    return max(a, 2.0) + min([a, -1.0])


def b_pow_array(x):
    return pow(x, 3.0) * W4


def b_float_of_array(x):
    return float(np.sum(x[1:3])) * x[0]


def b_list_tuple(a, b):
    items = list((a * b, b))
    pair = tuple([a, b * 2.0])
    return items[0] * pair[1] + pair[0]


def b_dict(a, b):
    p = dict({"a": a * 3.0, "b": b})
    return p["a"] * p["b"]


def b_lists_joined(a, b):  # operator.concat: `+` of lists or tuples
    xs = [a] + [a * b, 2.0]
    t = (b,) + (a, 3.0)
    return xs[1] * t[0] + xs[0] * t[1] * xs[2]


BUILTINS = [
    case(b_list_tuple, 0.7, -1.2, wrt=(0, 1), autograd=False),
    case(b_lists_joined, 0.7, -1.2, wrt=(0, 1)), case(b_lists_joined, 0.7, -1.2, wrt=(1,), name="-wrt1"),
    case(b_dict, 0.7, -1.2, wrt=(0, 1), autograd=False),
    case(py.b_abs, 0.7), case(py.b_abs, -1.3, name="-negative"), case(b_abs_array, A34),
    case(py.b_sum_list, 0.7, -1.2, wrt=(0, 1)), case(py.b_sum_list, 0.7, -1.2, wrt=(1,), name="-wrt1"),
    case(py.b_sum_start, 0.7, -1.2, wrt=(0, 1)), case(py.b_sum_start, 0.7, -1.2, wrt=(1,), name="-wrt1"),
    case(b_sum_array, A34), case(b_sum_arrays, V4, A34, wrt=(0, 1), autograd=False),
    case(b_sum_arrays, V4, A34, wrt=(0,), autograd=False, name="-wrt0"), case(b_sum_broadcast, V4, autograd=False),
    case(py.b_max_two, 0.3, 0.8, wrt=(0, 1)), case(py.b_max_two, 0.8, 0.3, wrt=(0, 1), name="-first"),
    case(py.b_max_two, 0.3, 0.8, wrt=(1,), name="-wrt1"),
    case(py.b_min_two, 0.3, 0.8, wrt=(0, 1)), case(py.b_min_two, 0.8, 0.3, wrt=(0, 1), name="-second"),
    case(py.b_max_three, 0.3, 0.9, -0.4, wrt=(0, 1, 2)),
    case(py.b_max_three, 0.3, 0.9, -0.4, wrt=(0,), name="-wrt0"),
    case(py.b_max_list, 0.3, 0.8, wrt=(0, 1)), case(py.b_max_list, 0.3, 0.8, wrt=(0,), name="-wrt0"),
    case(b_max_constant_wins, 0.3, autograd=False), case(b_max_constant_wins, 2.5, autograd=False, name="-a-wins"),
    case(py.b_max_array, V4, autograd=False),
    case(py.b_pow, 1.7, 2.5, wrt=(0, 1)), case(py.b_pow, 1.7, 2.5, wrt=(1,), name="-wrt1"),
    case(py.b_pow, -1.7, 3, name="-negative-base"), case(b_pow_array, V4),
    case(py.b_float, 1.7, autograd=False), case(b_float_of_array, V4, autograd=False), case(py.b_int_input, 3),
]


# --- math -----------------------------------------------------------------------------------


def m_hypot_constant(a):
    return math.hypot(3.0, a)


def m_copysign_second(x, y):
    return math.copysign(x, y)


def m_fsum(a, b):
    return math.fsum([a, a * b, b, 2.0]) * a


def m_fsum_array(x):
    return math.fsum(x)


MATH = [
    case(py.m_exp, 0.3), case(py.m_exp2, 0.3), case(py.m_expm1, 0.3), case(py.m_log, 1.3), case(py.m_log2, 1.3),
    case(py.m_log10, 1.3), case(py.m_log1p, 1.3), case(py.m_sqrt, 1.3), case(py.m_cbrt, 1.3),
    case(py.m_pow, 1.3, 2.2, wrt=(0, 1)), case(py.m_pow, -1.3, 2.0, wrt=(0,), name="-negative-base"),
    case(py.m_sin, 0.3), case(py.m_cos, 0.3), case(py.m_tan, 0.3),
    case(py.m_asin, 0.3), case(py.m_acos, 0.3), case(py.m_atan, 0.3), case(py.m_atan2, 0.3, -0.7, wrt=(0, 1)),
    case(py.m_atan2, 0.3, -0.7, wrt=(1,), name="-wrt1"),
    case(py.m_sinh, 0.3), case(py.m_cosh, 0.3), case(py.m_tanh, 0.3), case(py.m_asinh, 0.3),
    case(py.m_acosh, 1.3), case(py.m_atanh, 0.3), case(py.m_hypot, 0.3, -0.7, 2.0, wrt=(0, 1, 2)),
    case(py.m_hypot, 0.3, -0.7, 2.0, wrt=(1,), name="-wrt1"), case(m_hypot_constant, -0.7),
    case(py.m_fabs, -0.3), case(py.m_copysign, 0.3), case(m_copysign_second, 0.3, -2.0, wrt=(0, 1)),
    case(py.m_fmod, 5.3, 2.0, wrt=(0, 1)), case(py.m_fmod, 5.3, 2.0, wrt=(1,), name="-wrt1"),
    case(py.m_degrees_radians, 0.3), case(py.m_erf, 0.3), case(m_fsum, 0.3, 1.7, wrt=(0, 1)),
    case(m_fsum, 0.3, 1.7, wrt=(1,), name="-wrt1"), case(m_fsum_array, V4),
    case(py.m_from_import, 0.3), case(py.m_integer_input, 2),
]
MATH = [pytest.param(*p.values[:3], False, id=p.id) for p in MATH]  # autograd can't trace math


# --- non-differentiable: zero tangent, no error --------------------------------------------


def n_len(x):
    return x * len(x)


NONDIFFERENTIABLE = [
    case(n_len, A34), case(py.n_range, 0.7), case(py.n_int_round, 2.7, autograd=False),
    case(py.n_isinstance, 2.7, autograd=False), case(py.n_math_rounding, 2.7, autograd=False),
    case(py.n_math_predicates, 2.7, autograd=False), case(py.n_math_integers, 2.7),
    case(py.n_only_int, 2.7, autograd=False),
]

ALL = BUILTINS + MATH + NONDIFFERENTIABLE


@pytest.mark.parametrize("function, args, wrt, autograd", ALL)
def test_rule(function, args, wrt, autograd):
    assert_jvp_matches(function, args, wrt=wrt, autograd=autograd)


def test_scalar_functions_give_scalar_tangents():
    tangent = tangent_lsp.jvp(py.m_from_import)(0.3, 1.0)
    assert np.ndim(tangent) == 0 and isinstance(tangent, float)
    tangent = tangent_lsp.jvp(py.b_max_two, wrt=(0, 1))(0.3, 0.8, 1.0, 2.0)
    assert np.isclose(tangent, 2.0 * 0.3 + 0.8 * 1.0)


def test_every_forward_rule_has_a_case():
    """Each builtin/math forward rule appears in some case above (static check of the sources)."""
    keys = {k for k, t in library().tangents.items() if t.source_file.endswith("python_tangents.py")}
    seen = set()
    for param in ALL:
        function = param.values[0]
        namespace = function.__globals__
        for node in ast.walk(ast.parse(inspect.getsource(function))):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and any(
                isinstance(side, (ast.List, ast.Tuple)) for side in (node.left, node.right)
            ):
                seen.add("operator.concat")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                seen.add(f"{node.value.id}.{node.attr}")
            elif isinstance(node, ast.Name):
                obj = namespace.get(node.id)
                module = getattr(obj, "__module__", None) or ("builtins" if obj is None else "")
                seen.add(f"{module}.{getattr(obj, '__name__', node.id)}")
    assert sorted(keys - seen) == []


# --- lists built in loops -------------------------------------------------------------------


def c_sum_of_appended(x):
    terms = []
    for i in range(3):
        terms.append(x * (i + 1.0))
    return sum(terms)


def c_max_of_appended(a, b):
    items = []
    items.append(a * b)
    items.append(b)
    items.append(0.5)
    return max(items)


CONTAINERS = [
    case(c_sum_of_appended, V4), case(c_sum_of_appended, 0.7, name="-scalar"),
    case(c_max_of_appended, 0.3, 0.8, wrt=(0, 1)), case(c_max_of_appended, 2.0, 0.8, wrt=(0, 1), name="-product"),
    case(c_max_of_appended, 0.3, 0.2, wrt=(1,), name="-constant"),
]


@pytest.mark.parametrize("function, args, wrt, autograd", CONTAINERS)
def test_containers(function, args, wrt, autograd):
    assert_jvp_matches(function, args, wrt=wrt, autograd=autograd)
