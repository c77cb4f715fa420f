"""Functions of Python builtins and ``math`` that both the reverse-mode
(``test_python_rules.py``) and the forward-mode (``test_python_tangents.py``) rule
tests differentiate; each file keeps the few whose output differs by mode."""

import math
from math import exp as math_exp
from math import sin


def b_abs(x):
    return abs(x) * 3.0 + abs(x - 2.0)


def b_sum_list(a, b):
    return sum([a * b, a, b * b])


def b_sum_start(a, b):
    return sum([a, 2.0 * a], b) ** 2


def b_max_two(a, b):
    return max(a, b) * a


def b_min_two(a, b):
    return min(a, b) * a


def b_max_three(a, b, c):
    return max(a, b, c) ** 2 + min(a, b, c)


def b_max_list(a, b):
    return max([a, b, 0.1]) * b


def b_max_array(x):
    return max(x) + min(x) ** 2


def b_pow(a, b):
    return pow(a, b)


def b_float(x):
    return float(x) * x


def b_int_input(x):
    return x * x + 3.0 * x


def m_exp(x):
    return math.exp(x) * x


def m_exp2(x):
    return math.exp2(x) * x


def m_expm1(x):
    return math.expm1(x) * x


def m_log(x):
    return math.log(x) * x


def m_log2(x):
    return math.log2(x) * x


def m_log10(x):
    return math.log10(x) * x


def m_log1p(x):
    return math.log1p(x) * x


def m_sqrt(x):
    return math.sqrt(x) * x


def m_cbrt(x):
    return math.cbrt(x) * x


def m_pow(a, b):
    return math.pow(a, b)


def m_sin(x):
    return math.sin(x) * x


def m_cos(x):
    return math.cos(x) * x


def m_tan(x):
    return math.tan(x) * x


def m_asin(x):
    return math.asin(x) * x


def m_acos(x):
    return math.acos(x) * x


def m_atan(x):
    return math.atan(x) * x


def m_atan2(a, b):
    return math.atan2(a, b) * a


def m_sinh(x):
    return math.sinh(x) * x


def m_cosh(x):
    return math.cosh(x) * x


def m_tanh(x):
    return math.tanh(x) * x


def m_asinh(x):
    return math.asinh(x) * x


def m_acosh(x):
    return math.acosh(x) * x


def m_atanh(x):
    return math.atanh(x) * x


def m_hypot(a, b, c):
    return math.hypot(a, b, c) * a


def m_fabs(x):
    return math.fabs(x) * x


def m_copysign(x):
    return math.copysign(x, -2.0) * x


def m_fmod(a, b):
    return math.fmod(a, b) * a


def m_degrees_radians(x):
    return math.degrees(x) * math.radians(x)


def m_erf(x):
    return math.erf(x) + math.erfc(x) * x


def m_from_import(x):
    return sin(x) * math_exp(x)


def m_integer_input(x):
    return math.exp(x) + math.sin(x)


def n_range(x):
    return x * sum(range(3))


def n_int_round(x):
    return x * int(x) + x * round(x)


def n_isinstance(x):
    return x * isinstance(x, float) + x * bool(x)


def n_math_rounding(x):
    return x * math.floor(x) + x * math.ceil(x) + x * math.trunc(x)


def n_math_predicates(x):
    return x * math.isfinite(x) + x * math.isnan(x) + x * math.isinf(x)


def n_math_integers(x):
    return x * math.factorial(3) + x * math.comb(4, 2) + x * math.gcd(4, 6)


def n_only_int(x):
    return float(int(x))
