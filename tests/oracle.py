"""The numeric oracle every engine test checks derivatives against.

Three functions, nothing else:

* ``finite_differences(f, args, wrt)`` - central differences of a scalar ``f``.
* ``autograd_gradient(f, args, wrt)`` - the same gradient from autograd, by
  re-running ``f``'s source with ``numpy`` swapped for ``autograd.numpy``;
  ``None`` when autograd cannot differentiate it.
* ``assert_gradients_match(f, args, wrt)`` - ``tangent_lsp.grad(f, wrt)`` checked
  for shapes, float dtype, and values against both of the above; a failure
  shows the generated code.

Test functions are ordinary module-level ``def``s written with ``import numpy
as np`` (any alias and ``from numpy import exp`` work). Use fixed seeds and
keep arguments inside each function's domain and away from kinks and ties.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import textwrap
import types

import numpy as np

import tangent_lsp

__all__ = ["finite_differences", "autograd_gradient", "assert_gradients_match"]


def _perturbed(value, x, index, step):
    """``x`` (the float copy of argument ``value``) with ``x[index] += step``, in ``value``'s kind."""
    x = x.copy()
    x[index] += step
    return float(x) if np.ndim(value) == 0 and not isinstance(value, np.ndarray) else x


def finite_differences(f, args, wrt=(0,), eps=1e-6):
    """Central differences of the scalar ``f(*args)`` with respect to each argument in ``wrt``.

    Arguments may be arrays or Python numbers (integers are treated as reals).
    Returns a tuple of float arrays, one per ``wrt`` index, shaped like the arguments.
    """
    args = list(args)
    grads = []
    for i in wrt:
        x = np.array(args[i], dtype=np.float64)
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            values = []
            for step in (eps, -eps):
                moved = list(args)
                moved[i] = _perturbed(args[i], x, index, step)
                values.append(float(f(*moved)))
            grad[index] = (values[0] - values[1]) / (2 * eps)
        grads.append(grad)
    return tuple(grads)


def _autograd_object(value):
    """The autograd counterpart of a NumPy module or function, else ``value`` itself."""
    if isinstance(value, types.ModuleType):
        if value.__name__.split(".")[0] in ("numpy", "scipy"):
            with contextlib.suppress(ImportError):
                return importlib.import_module("autograd." + value.__name__)
        return value
    module = getattr(value, "__module__", None) or ""
    if callable(value) and (module == "numpy" or module.startswith("numpy.")):
        target = "autograd.numpy.linalg" if module.startswith("numpy.linalg") else "autograd.numpy"
        return getattr(importlib.import_module(target), value.__name__, value)
    if callable(value) and module.startswith("scipy.linalg"):  # scipy.linalg._basic
        return getattr(importlib.import_module("autograd.scipy.linalg"), value.__name__, value)
    return value


def _autograd_version(f, namespace=None, seen=None):
    """Re-create ``f`` from its source in a namespace where NumPy is autograd's NumPy.

    Module-level functions that ``f`` calls are re-created the same way.
    """
    if namespace is None:
        namespace = {name: _autograd_object(v) for name, v in f.__globals__.items()}
        seen = set()
    seen.add(f.__name__)
    exec(compile(textwrap.dedent(inspect.getsource(f)), inspect.getsourcefile(f), "exec"), namespace)
    for name in f.__code__.co_names:
        callee = f.__globals__.get(name)
        if (
            isinstance(callee, types.FunctionType)
            and callee.__module__ == f.__module__
            and name not in seen
        ):
            _autograd_version(callee, namespace, seen)
    return namespace[f.__name__]


def autograd_gradient(f, args, wrt=(0,)):
    """autograd's gradient of ``f`` with respect to each argument in ``wrt``, or None.

    None means autograd could not differentiate the function (an unsupported
    primitive, ``math`` on a traced value...): callers decide whether that was expected.
    """
    import autograd

    try:
        g = _autograd_version(f)
        args = list(args)
        for i in wrt:  # autograd refuses integer inputs; the question is about reals
            args[i] = np.array(args[i], dtype=np.float64) if isinstance(args[i], np.ndarray) else float(args[i])
        return tuple(np.asarray(autograd.grad(g, i)(*args), dtype=np.float64) for i in wrt)
    except Exception:  # any failure means "autograd cannot"
        return None


def _generated_code(f, wrt):
    """The derivative's source as ``grad(..., verbose=1)`` prints it, or why there is none."""

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            tangent_lsp.grad(f, wrt=wrt, verbose=1)
    except Exception as error:  # shown to the reader, not handled
        return f"<no derivative: {type(error).__name__}: {error}>"
    return out.getvalue()


def assert_gradients_match(f, args, wrt=(0,), rtol=1e-5, atol=1e-7, autograd=True, **options):
    """Check ``tangent_lsp.grad(f, wrt=wrt)(*args)`` against finite differences (and autograd).

    The result is one gradient for one ``wrt`` and a tuple for several
    (Tangent's convention). Each gradient must have its argument's shape and a
    floating dtype. With ``autograd=True``, autograd must be able to
    differentiate ``f`` and agree too. ``options`` (``optimized``, ``motion``) go to
    ``tangent_lsp.autodiff``.
    """

    wrt = tuple(wrt)
    if options:
        default_one = tangent_lsp.INPUT_DERIVATIVE.DefaultOne
        ours = tangent_lsp.autodiff(f, wrt=wrt, input_derivative=default_one, **options)(*args)
    else:
        ours = tangent_lsp.grad(f, wrt=wrt)(*args)
    ours = (ours,) if len(wrt) == 1 else tuple(ours)
    assert len(ours) == len(wrt), f"expected {len(wrt)} gradients, got {len(ours)}"
    references = [("finite differences", finite_differences(f, args, wrt))]
    if autograd:
        expected = autograd_gradient(f, args, wrt)
        assert expected is not None, f"autograd cannot differentiate {f.__name__}; pass autograd=False"
        references.append(("autograd", expected))
    for k, i in enumerate(wrt):
        got = ours[k]
        where = f"d{f.__name__}/d(argument {i})"
        problem = None
        if np.shape(got) != np.shape(args[i]):
            problem = f"{where}: shape {np.shape(got)}, argument shape {np.shape(args[i])}"
        elif not np.issubdtype(np.asarray(got).dtype, np.inexact):
            problem = f"{where}: dtype {np.asarray(got).dtype} is not floating point"
        else:
            for label, reference in references:
                if np.shape(reference[k]) != np.shape(got):
                    problem = f"{where}: {label} gives shape {np.shape(reference[k])}, ours {np.shape(got)}"
                    break
                if not np.allclose(got, reference[k], rtol=rtol, atol=atol):
                    problem = f"{where} differs from {label}:\nours:\n{got}\n{label}:\n{reference[k]}"
                    break
        if problem:
            raise AssertionError(f"{problem}\n--- generated code ---\n{_generated_code(f, wrt)}")


# --- forward mode: Jacobian-vector products -------------------------------------------------

__all__ += ["random_tangents", "finite_difference_jvp", "autograd_jvp", "assert_jvp_matches"]


def random_tangents(args, wrt=(0,), seed=1):
    """One random float tangent per argument in ``wrt``, shaped like it (a float for a number)."""
    rng = np.random.default_rng(seed)
    return tuple(
        rng.standard_normal(np.shape(args[i])) if isinstance(args[i], np.ndarray)
        else float(rng.standard_normal())
        for i in wrt
    )


def _moved(value, tangent, step):
    """``value + step * tangent`` as a float array, or a float for a Python number."""
    moved = np.asarray(value, dtype=np.float64) + step * np.asarray(tangent, dtype=np.float64)
    return moved if isinstance(value, np.ndarray) else float(moved)


def finite_difference_jvp(f, args, wrt, tangents, eps=1e-6):
    """Central difference ``(f(x + eps v) - f(x - eps v)) / 2 eps`` along the tangents.

    All arguments in ``wrt`` move together, each along its own tangent, so the
    result is the sum of the partial JVPs. Integer arguments are treated as reals.
    """
    values = []
    for step in (eps, -eps):
        moved = list(args)
        for i, t in zip(wrt, tangents, strict=True):
            moved[i] = _moved(args[i], t, step)
        values.append(np.asarray(f(*moved), dtype=np.float64))
    return (values[0] - values[1]) / (2 * eps)


def autograd_jvp(f, args, wrt, tangents):
    """autograd's forward-mode JVP (``autograd.make_jvp``) summed over ``wrt``, or None
    when autograd cannot (no forward rule for a primitive, ``math`` on a traced value...)."""
    import autograd

    try:
        g = _autograd_version(f)
        args = [_moved(a, 0.0, 0.0) if i in wrt else a for i, a in enumerate(args)]
        total = 0.0
        for i, t in zip(wrt, tangents, strict=True):
            total = total + np.asarray(autograd.make_jvp(g, i)(*args)(t)[1], dtype=np.float64)
        return total
    except Exception:  # any failure means "autograd cannot"
        return None


def _generated_forward_code(f, wrt):

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            tangent_lsp.autodiff(f, wrt=wrt, mode="forward", verbose=1)
    except Exception as error:  # shown to the reader, not handled
        return f"<no derivative: {type(error).__name__}: {error}>"
    return out.getvalue()


def assert_jvp_matches(f, args, wrt=(0,), tangents=None, rtol=1e-5, atol=1e-7, autograd=True,
                       **options):
    """Check ``tangent_lsp.autodiff(f, wrt=wrt, mode='forward')(*args, *tangents)``.

    The tangent of the output must have the output's shape and a floating dtype,
    and agree with central finite differences (and, with ``autograd=True``, with
    ``autograd.make_jvp``, which must then be able to differentiate ``f``).
    ``tangents`` default to ``random_tangents(args, wrt)``; ``options`` go to ``autodiff``.
    """

    wrt = tuple(wrt)
    tangents = random_tangents(args, wrt) if tangents is None else tuple(tangents)
    ours = tangent_lsp.autodiff(f, wrt=wrt, mode="forward", **options)(*args, *tangents)
    value = f(*args)
    references = [("finite differences", finite_difference_jvp(f, args, wrt, tangents))]
    if autograd:
        expected = autograd_jvp(f, args, wrt, tangents)
        assert expected is not None, f"autograd cannot differentiate {f.__name__}; pass autograd=False"
        references.append(("autograd", expected))
    where = f"tangent of {f.__name__} along arguments {wrt}"
    problem = None
    if np.shape(ours) != np.shape(value):
        problem = f"{where}: shape {np.shape(ours)}, output shape {np.shape(value)}"
    elif not np.issubdtype(np.asarray(ours).dtype, np.inexact):
        problem = f"{where}: dtype {np.asarray(ours).dtype} is not floating point"
    else:
        for label, reference in references:
            if np.shape(reference) != np.shape(ours):
                problem = f"{where}: {label} gives shape {np.shape(reference)}, ours {np.shape(ours)}"
                break
            if not np.allclose(ours, reference, rtol=rtol, atol=atol):
                problem = f"{where} differs from {label}:\nours:\n{ours}\n{label}:\n{reference}"
                break
    if problem:
        raise AssertionError(f"{problem}\n--- generated code ---\n{_generated_forward_code(f, wrt)}")


# --- second derivatives, in the four orders ------------------------------------------------


def _first(r):
    return np.asarray(r[0] if isinstance(r, tuple) else r, dtype=float)


def gradient_change(function, args, i, j, u, step=1e-6):
    """Central differences of grad_i (one argument's gradient) along ``u`` in argument j."""
    gradient = tangent_lsp.grad(function, wrt=(i,))

    def at(shift):
        moved = list(args)
        moved[j] = np.asarray(args[j], dtype=float) + shift * u
        return _first(gradient(*moved))

    return (at(step) - at(-step)) / (2 * step)


def second_derivative(order, function, args, i, j, t, u):
    """``<t, J u>`` (or ``J u`` itself, or ``J^T t`` paired with ``u``) for J = d grad_i / d x_j,
    computed by the engine in the given order, as a number."""
    if order == "forward over reverse":
        gradient = tangent_lsp.grad(function, wrt=(i,))
        change = tangent_lsp.jvp(gradient, wrt=(j,))(*args, 1.0, u)
        return np.sum(_first(change) * t)
    if order == "reverse over reverse":
        gradient = tangent_lsp.grad(function, wrt=(i,))
        pulled = tangent_lsp.vjp(gradient, wrt=(j,))(*args, 1.0, t)
        return np.sum(_first(pulled) * u)
    directional = tangent_lsp.jvp(function, wrt=(i,))  # (*args, t): <grad_i, t>
    if order == "reverse over forward":
        gradient = tangent_lsp.grad(directional, wrt=(j,))(*args, t)
        return np.sum(_first(gradient) * u)
    assert order == "forward over forward"
    return float(tangent_lsp.jvp(directional, wrt=(j,))(*args, t, u))


ORDERS = ["forward over reverse", "reverse over reverse", "reverse over forward",
          "forward over forward"]


def assert_second_derivative_matches(order, function, args, i, j, seed=9, rtol=1e-4,
                                     atol=1e-5, context=""):
    """``second_derivative`` in ``order`` against central differences of grad_i along a
    random direction of argument j, paired with another random direction."""
    rng = np.random.default_rng(seed)
    t, u = rng.normal(size=np.shape(args[i])), rng.normal(size=np.shape(args[j]))
    expected = np.sum(t * gradient_change(function, args, i, j, u, step=1e-5))
    ours = second_derivative(order, function, args, i, j, t, u)
    assert np.allclose(ours, expected, rtol=rtol, atol=atol), f"{ours} != {expected}\n{context}"
