"""The ``scipy.special`` rules (``tangent_lsp/rules/scipy_special*.py``): gradients and
tangents against central differences, second derivatives in the four orders, and the
arguments reported instead of differentiated."""

import re
import sys

import numpy as np
import pytest
import scipy.linalg

import tangent_lsp
from tests.engine import scipy_programs as P
from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

rng = np.random.default_rng(21)
X3 = np.array([0.4, -1.3, 0.8])
POSITIVE = np.array([0.7, 2.5, 1.3])
PROBABILITIES = np.array([0.2, 0.55, 0.9])
M23 = rng.normal(size=(2, 3))

CASES = [
    (P.s_expit, (X3,)), (P.s_log_expit, (X3,)), (P.s_logit, (PROBABILITIES,)),
    (P.s_gammaln, (POSITIVE,)), (P.s_digamma, (POSITIVE,)), (P.s_polygamma, (POSITIVE,)),
    (P.s_erf, (X3,)), (P.s_ndtr, (X3,)), (P.s_xlogy, (X3, POSITIVE)),
    (P.s_xlogy_zero, (np.array([0.0, 0.5, 2.0]),)),
    (P.s_logsumexp, (X3,)), (P.s_logsumexp_axis, (M23,)), (P.s_softmax, (M23,)),
    (P.s_log_softmax, (M23,)),
    (P.s_gamma, (POSITIVE,)), (P.s_betaln, (POSITIVE, np.array([1.2, 0.4, 3.0]))),
    (P.s_bessel, (X3,)), (P.s_bessel_scaled, (X3,)), (P.s_erfcx, (X3,)),
    (P.s_erfinv, (np.array([-0.4, 0.3, 0.7]),)), (P.s_ndtri, (PROBABILITIES,)),
    (P.s_expm1_log1p, (X3,)), (P.s_exprel, (np.array([0.4, -2.6, 3.1]),)),
    (P.s_softplus, (X3 * 4.0,)), (P.s_xlog1py, (X3, POSITIVE)),
    (P.s_xlog1py_zero, (np.array([-1.0, 0.5, 2.0]),)), (P.s_entr, (PROBABILITIES,)),
    (P.s_rel_entr, (PROBABILITIES, np.array([0.5, 0.25, 0.3]))),
    (P.s_rel_entr_zero, (np.array([0.2, 0.5, 2.0]),)),  # q < 0 is inf: no differences at 0
    (P.negative_binomial, (rng.normal(size=4) * 0.3, rng.normal(size=4) * 0.3,
                           rng.integers(0, 6, 4) * 1.0)),
    (P.logistic_regression, (rng.normal(size=3), rng.normal(size=(5, 3)),
                             rng.integers(0, 2, 5) * 1.0)),
    (P.mixture, (rng.normal(size=5), rng.normal(size=3), rng.normal(size=3) * 0.2)),
]
IDS = [f.__name__ for f, _ in CASES]


TWO_ARGUMENTS = (P.s_xlogy, P.s_betaln, P.s_xlog1py, P.s_rel_entr)


def _wrt(f, args):  # the data arguments of the models are not differentiated
    return (0, 1) if f in TWO_ARGUMENTS or f is P.negative_binomial or f is P.mixture else (0,)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_gradient(f, args):
    assert_gradients_match(f, args, wrt=_wrt(f, args), autograd=False)


@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_tangent(f, args):
    assert_jvp_matches(f, args, wrt=_wrt(f, args), autograd=False)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("f, args", CASES, ids=IDS)
def test_second_derivative(f, args, order):
    assert_second_derivative_matches(order, f, args, 0, 0, seed=5, atol=1e-6)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("pair", [(0, 1), (1, 0), (1, 1)])
@pytest.mark.parametrize("f", TWO_ARGUMENTS, ids=[f.__name__ for f in TWO_ARGUMENTS])
def test_second_derivative_to_the_second_argument(f, pair, order):
    args = next(args for g, args in CASES if g is f)
    assert_second_derivative_matches(order, f, args, *pair, seed=5, atol=1e-6)


def test_xlogy_has_no_gradient_where_x_is_zero_even_at_y_zero():
    y = np.array([0.0, 0.5, 2.0])
    gradient = tangent_lsp.grad(P.s_xlogy_zero)(y)
    assert np.all(np.isfinite(gradient)) and gradient[0] == 0.0


def test_xlog1py_has_no_gradient_where_x_is_zero_even_at_y_minus_one():
    gradient = tangent_lsp.grad(P.s_xlog1py_zero)(np.array([-1.0, 0.5, 2.0]))
    assert np.all(np.isfinite(gradient)) and gradient[0] == 0.0


def test_rel_entr_and_kl_div_have_the_gradient_of_their_value_where_x_is_zero_at_y_zero():
    q = np.array([0.0, 0.5, 2.0])  # rel_entr(0, q) is 0 and kl_div(0, q) is q
    gradient = tangent_lsp.grad(P.s_rel_entr_zero)(q)
    assert np.all(np.isfinite(gradient)) and gradient[0] == P.W3[::-1][0]
    tangent = tangent_lsp.jvp(P.s_rel_entr_zero)(q, np.array([1.0, 0.0, 0.0]))
    assert tangent == P.W3[::-1][0]


def test_entr_has_the_one_sided_slope_at_zero():
    with np.errstate(divide="ignore"):  # log(0)
        assert tangent_lsp.grad(P.s_entr)(np.array([0.0, 0.5, 0.9]))[0] == np.inf


def test_the_derivative_calls_scipy_through_the_runtime_only_where_needed():
    source = "import numpy as np\nfrom scipy.special import gammaln\n\n\n" \
             "def f(x):\n    return np.sum(gammaln(x))\n"
    derivative = tangent_lsp.derive(source, "f")
    assert "digamma(x)" in derivative.code
    assert "from tangent_lsp.runtime import digamma" in derivative.imports[-1]


@pytest.mark.parametrize("call, says", [
    ("logsumexp(x, b=x)", "weights (b=)"),
    ("logsumexp(x, return_sign=True)[0]", "return_sign=True"),
])
def test_arguments_left_undifferentiated_are_reported(call, says):
    source = f"import numpy as np\nfrom scipy.special import logsumexp\n\n\ndef f(x):\n    return {call}\n"
    with pytest.raises(tangent_lsp.DiffError, match=re.escape(says)):
        tangent_lsp.derive(source, "f")


MODEL = '''import numpy as np
from scipy.special import gammaln, logsumexp


def nll(x):
    return np.sum(gammaln(x)) + logsumexp(x)
'''


def test_a_top_level_module_importing_the_functions_does_not_become_their_home(
    tmp_path, monkeypatch
):
    """``from scipy.special import gammaln`` in ``losses.py``: that module holds gammaln too,
    and a shorter name than scipy.special. It was taken for gammaln's home, for every module
    once imported: "no derivative rule for 'gammaln' (losses.gammaln)"."""
    (tmp_path / "losses_h19.py").write_text(MODEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    import losses_h19

    try:
        x = np.array([1.5, 2.0, 3.0])
        assert_gradients_match(losses_h19.nll, (x,), autograd=False)
    finally:
        del sys.modules["losses_h19"]


ALIASED = '''import numpy as np
from scipy.special import expit as sigmoid
from scipy.special import logsumexp as lse
from scipy.special import softmax as sm


def squashed(x):
    return np.sum(sigmoid(x) * x)


def pooled(x):
    return lse(x * 2.0)


def weighted(x):
    return np.sum(sm(x) * x)
'''


@pytest.mark.parametrize("name", ["squashed", "pooled", "weighted"])
def test_functions_imported_under_another_name_keep_their_rules(tmp_path, monkeypatch, name):
    """``from scipy.special import expit as sigmoid``: through ``grad`` (live objects), the
    user's module holding ``sigmoid`` was taken for the ufunc's exporter, and a function
    found under its alias alone was keyed by its private module: "no derivative rule for
    'sigmoid' (aliased_h27.sigmoid)"."""
    (tmp_path / "aliased_h27.py").write_text(ALIASED)
    monkeypatch.syspath_prepend(str(tmp_path))
    import aliased_h27

    try:
        x = np.array([0.1, 0.5, -0.3])
        assert_gradients_match(getattr(aliased_h27, name), (x,), autograd=False)
    finally:
        del sys.modules["aliased_h27"]


def square_root_loss(S, b):
    return np.sum(scipy.linalg.sqrtm(S) @ b)


def test_a_library_function_without_a_rule_is_reported_where_it_is_called():
    """Its source is the library's (decorators, raise, dispatch): the error was located in
    site-packages, never at the user's line."""
    with pytest.raises(tangent_lsp.DiffError) as raised:
        tangent_lsp.grad(square_root_loss)(np.eye(3) * 2.0, np.ones(3))
    error = raised.value
    assert "no derivative rule for 'scipy.linalg.sqrtm'" in error.message
    assert error.path == __file__ and "sqrtm(S) @ b" in error.line_text


SCRIPT = """import numpy as np
import tangent_lsp
from scipy.special import ndtr


def f(m, x):
    return np.sum(ndtr((x - m) / 2.0))


print(tangent_lsp.grad(f)(0.3, np.array([0.1, 0.4, 0.9])))
"""


def test_a_script_run_as_a_program_reads_its_scipy_imports(tmp_path):
    """`python train.py` with `from scipy.special import ndtr`: '__main__' holds ndtr too,
    and was taken for a private module (key 'numpy.ndtr': no derivative rule)."""
    import os
    import subprocess

    from scipy.stats import norm

    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    x = np.array([0.1, 0.4, 0.9])
    assert np.isclose(float(done.stdout), -np.sum(norm.pdf((x - 0.3) / 2.0)) / 2.0)
