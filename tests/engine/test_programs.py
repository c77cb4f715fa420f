"""Whole models, differentiated and checked against finite differences and autograd."""

import numpy as np
import pytest

import tangent_lsp
import tangent_lsp.engine
from tests.oracle import assert_gradients_match

rng = np.random.default_rng(0)


def logistic_loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1, keepdims=True)
    z = logits - m
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    logp = z - lse
    return -np.mean(np.sum(y * logp, axis=1))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def least_squares(A, x, b):
    r = A @ x - b
    return 0.5 * r.T @ r


def relu_net(W1, W2, X):
    h = np.maximum(X @ W1, 0.0)
    out = np.maximum(h @ W2, 0.0)
    return np.sum(out * out)


def elementwise_chain(x, y):
    a = x ** 2 + y ** 3
    b = np.log(a + 1.0)
    c = np.sqrt(b) * x ** 0.5
    return np.sum(c / (1.0 + y ** 2))


def reassigned(x, w):
    x = x * w
    x = np.tanh(x)
    x += w
    return np.sum(x * x)


def scalar_polynomial(x):
    y = 3.0 * x ** 3 - 2.0 * x + 1.0
    return y * y


X = rng.normal(size=(8, 3))
CASES = [
    ("logistic", logistic_loss, (rng.normal(size=3), 0.1, X, (rng.random(8) > 0.5) * 1.0), (0, 1)),
    (
        "mlp",
        mlp_loss,
        (
            rng.normal(size=(3, 5)) * 0.5, rng.normal(size=5) * 0.1,
            rng.normal(size=(5, 4)) * 0.5, rng.normal(size=4) * 0.1,
            X, np.eye(4)[rng.integers(0, 4, 8)],
        ),
        (0, 1, 2, 3),
    ),
    ("logsumexp", logsumexp, (rng.normal(size=7),), (0,)),
    ("least_squares", least_squares, (rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=6)), (0, 1, 2)),
    ("relu_net", relu_net, (rng.normal(size=(3, 6)), rng.normal(size=(6, 2)), X), (0, 1)),
    ("elementwise_chain", elementwise_chain, (rng.random(5) + 0.5, rng.random(5) + 0.5), (0, 1)),
    ("reassigned", reassigned, (rng.normal(size=4), rng.normal(size=4)), (0, 1)),
    ("scalar_polynomial", scalar_polynomial, (0.7,), (0,)),
]


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
def test_program_gradients(name, f, args, wrt):
    assert_gradients_match(f, args, wrt=wrt)


@pytest.mark.parametrize("name,f,args,wrt", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize(
    "options",
    [dict(optimized=False), dict(motion="split"), dict(motion="split", optimized=False)],
    ids=["plain", "split", "split-plain"],
)
def test_every_variant_computes_the_same(name, f, args, wrt, options):
    reference = tangent_lsp.grad(f, wrt=wrt)(*args)
    variant = tangent_lsp.autodiff(
        f, wrt=wrt, input_derivative=tangent_lsp.INPUT_DERIVATIVE.DefaultOne, **options
    )(*args)
    pairs = zip(reference, variant) if len(wrt) > 1 else [(reference, variant)]
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_split_motion_saves_only_what_the_backward_sweep_reads():
    derivative = tangent_lsp.engine.derive(
        "import numpy as np\n\ndef f(x, y):\n    z = np.exp(x)\n    w = np.sin(y)\n"
        "    return np.sum(z * w)\n",
        "f", motion="split",
    )
    forward = derivative.code.split("def df_dx_backward")[0]
    saved_line = [line for line in forward.splitlines() if "return (" in line][0]
    saved = set(saved_line.split("(", 1)[1].rstrip(")").replace(" ", "").split(","))
    assert {"z", "w"} <= saved <= {"x", "z", "w"}, saved_line  # never y: nobody reads it


def test_preserve_result_returns_value_last():
    args = CASES[0][2]
    dw, db, value = tangent_lsp.grad(logistic_loss, wrt=(0, 1), preserve_result=True)(*args)
    assert value == pytest.approx(logistic_loss(*args))
    expected = tangent_lsp.grad(logistic_loss, wrt=(0, 1))(*args)
    np.testing.assert_allclose(dw, expected[0])
    np.testing.assert_allclose(db, expected[1])


def test_seed_scales_the_gradient():
    args = CASES[2][2]
    df = tangent_lsp.grad(logsumexp)
    np.testing.assert_allclose(df(*args, 3.0), 3.0 * df(*args))


def test_vjp_requires_the_seed():
    x = rng.normal(size=5)

    def f(x):
        return np.tanh(x)

    seed = rng.normal(size=5)
    vjp = tangent_lsp.vjp(f)
    np.testing.assert_allclose(vjp(x, seed), seed * (1 - np.tanh(x) ** 2))
    with pytest.raises(TypeError):
        vjp(x)


def test_integer_inputs_get_float_gradients():
    df = tangent_lsp.grad(scalar_polynomial)
    g = df(2)
    assert np.asarray(g).dtype.kind == "f"
    assert float(g) == pytest.approx(float(df(2.0)))
    assert_gradients_match(scalar_polynomial, (2.0,))


def test_gradient_of_unused_argument_is_zero():
    def f(x, y):
        return np.sum(x * 2.0)

    gy = tangent_lsp.grad(f, wrt=(1,))(np.ones(3), np.ones((2, 2)))
    assert gy.shape == (2, 2) and not gy.any()


def test_generated_function_has_source():
    import inspect

    df = tangent_lsp.grad(logsumexp)
    assert "def dlogsumexp_dx" in inspect.getsource(df)


W_GLOBAL = np.arange(6.0)


def method_of_module_constant(x):
    return np.sum(x * W_GLOBAL.reshape(2, 3))


def reshape_fortran_order(x):
    return np.sum(x.reshape(3, 2, order="F") ** 2 * W_GLOBAL.reshape(3, 2))


def list_inside_varargs(a, b):
    return np.sum(np.atleast_1d([a, b]) * np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    "f,args,wrt",
    [
        (method_of_module_constant, (rng.normal(size=(2, 3)),), (0,)),
        (reshape_fortran_order, (rng.normal(size=6),), (0,)),
        (list_inside_varargs, (0.3, -0.7), (0, 1)),
    ],
    ids=["method_of_module_constant", "reshape_fortran_order", "list_inside_varargs"],
)
def test_call_forms(f, args, wrt):
    assert_gradients_match(f, args, wrt=wrt, autograd=False)


def test_split_motion_names_its_halves_apart_from_the_modules_functions():
    """A module that defines ``df_dx_forward`` already: the halves are ``df_dx2_*``."""
    source = ("import numpy as np\n\n\ndef df_dx_forward(x):\n    return x\n\n\n"
              "def f(x):\n    return np.sum(np.sin(x))\n")
    code = tangent_lsp.engine.derive(source, "f", motion="split").code
    assert "def df_dx2_forward(" in code and "def df_dx2_backward(" in code, code
