"""Derivatives of derivatives: ``hvp``, ``jacobian``, ``hessian``.

Generated code is valid input to the engine, so these compose the run-time API:
a Hessian-vector product is the forward-mode derivative of the gradient
(forward over reverse, as the AD literature recommends). ``verbose=1`` prints
the generated code they run.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from .api import INPUT_DERIVATIVE, autodiff, compile_derivative, grad, inputs_last
from .engine import Derivative, DiffError


def hvp(func: Callable, wrt: int | str = 0, optimized: bool = True, verbose: int = 0) -> Callable:
    """``hvp(f)(*args, v)``: the Hessian of ``f`` w.r.t. argument ``wrt`` (its position or
    name) times ``v``."""
    wrt = _one_argument(func, wrt)[0]
    gradient = grad(func, wrt=(wrt,), optimized=optimized)
    tangent = autodiff(gradient, wrt=(wrt,), mode="forward", optimized=optimized)
    signature = inspect.signature(func).parameters.values()
    positional = [p for p in signature if p.kind in _POSITIONAL]
    keywords = [p for p in signature if p.kind is inspect.Parameter.KEYWORD_ONLY]
    params = [p.name for p in positional]
    name = f"hvp_{func.__name__}"
    vector = _fresh("v", params + [p.name for p in keywords])
    header = params + [vector] + (["*"] + [p.name for p in keywords] if keywords else [])
    call = params + ["1.0", vector] + [f"{p.name}={p.name}" for p in keywords]  # seed 1.0
    source = f"def {name}({', '.join(header)}):\n    return {tangent.__name__}({', '.join(call)})\n"
    wrapper = Derivative(code=source, name=name, function=func.__name__, wrt=(params[wrt],),
                         mode="forward-over-reverse")
    namespace = dict(inspect.unwrap(tangent).__globals__)  # it may read module values live
    namespace[tangent.__name__] = tangent
    function = compile_derivative(wrapper, namespace)
    # the function's own defaults (the vector's is never used: it is passed by name below)
    defaults = [p.default for p in positional if p.default is not p.empty]
    if defaults:
        function.__defaults__ = (*defaults, None)
    function.__kwdefaults__ = {p.name: p.default for p in keywords if p.default is not p.empty}
    if verbose:
        print(gradient.derivative.code + "\n" + tangent.derivative.code + "\n" + source)
    return inputs_last(func, function, 1)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def jacobian(func: Callable, wrt: int | str = 0, optimized: bool = True,
             verbose: int = 0) -> Callable:
    """``jacobian(f)(*args)``: d f(args) / d args[wrt], shaped ``out.shape + in.shape``
    (``wrt``: the argument's position or name).
    A function that returns a tuple, list or dict of arrays gets one Jacobian per
    element, in the same structure.

    Tall Jacobians (fewer inputs than outputs) are built column by column in
    forward mode, wide ones row by row in reverse mode.
    """
    forward = reverse = None
    wrt, name = _one_argument(func, wrt)

    def jac(*args, **keywords):
        nonlocal forward, reverse
        x = _array_argument(func, name, args, keywords, "jacobian")
        value = func(*args, **keywords)
        structured = isinstance(value, (tuple, list, dict))
        out = None if structured else np.asarray(value, dtype=float)
        columns = []
        if structured or x.size <= out.size:
            if forward is None:
                forward = inputs_last(func, autodiff(
                    func, wrt=(wrt,), mode="forward", optimized=optimized, verbose=verbose,
                ), 1)
            for k in range(x.size):
                seed = np.zeros(x.size)
                seed[k] = 1.0
                columns.append(forward(*args, seed.reshape(x.shape), **keywords))
            return _columns_stacked(columns, value, x.shape)
        if reverse is None:
            reverse = inputs_last(func, autodiff(
                func, wrt=(wrt,), optimized=optimized, verbose=verbose,
                input_derivative=INPUT_DERIVATIVE.Required,
            ), 1)
        for k in range(out.size):
            seed = np.zeros(out.size)
            seed[k] = 1.0
            columns.append(np.asarray(
                reverse(*args, seed.reshape(out.shape), **keywords), dtype=float
            ))
        return np.stack(columns).reshape(out.shape + x.shape)

    return jac


def _columns_stacked(columns: list, value, in_shape: tuple) -> object:
    """One forward-mode tangent per input element, stacked along new last axes into
    Jacobians shaped like ``value``'s elements (``value`` itself for one array)."""
    if isinstance(value, dict):
        return {key: _columns_stacked([c[key] for c in columns], item, in_shape)
                for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_columns_stacked([c[i] for c in columns], item, in_shape)
                           for i, item in enumerate(value))
    shape = np.shape(value)
    stacked = [np.broadcast_to(np.asarray(c, dtype=float), shape) for c in columns]
    return np.stack(stacked, axis=-1).reshape(shape + in_shape)


def hessian(func: Callable, wrt: int | str = 0, optimized: bool = True,
            verbose: int = 0) -> Callable:
    """``hessian(f)(*args)``: second derivatives of a scalar ``f`` w.r.t. ``args[wrt]``
    (``wrt``: the argument's position or name), one Hessian-vector product per element."""
    wrt, name = _one_argument(func, wrt)
    product = hvp(func, wrt=wrt, optimized=optimized, verbose=verbose)

    def hess(*args, **keywords):
        x = _array_argument(func, name, args, keywords, "hessian")
        rows = []
        for k in range(x.size):
            seed = np.zeros(x.size)
            seed[k] = 1.0
            rows.append(np.asarray(product(*args, seed.reshape(x.shape), **keywords), dtype=float))
        return np.stack(rows).reshape(x.shape + x.shape)

    return hess


def _one_argument(func: Callable, wrt: object) -> tuple[int, str]:
    """The position and name of the one argument ``wrt`` names (by position or name)."""
    params = [p.name for p in inspect.signature(func).parameters.values() if p.kind in _POSITIONAL]
    if isinstance(wrt, str) and wrt in params:
        return params.index(wrt), wrt
    if isinstance(wrt, (int, np.integer)) and not isinstance(wrt, bool) and (
        -len(params) <= wrt < len(params)
    ):
        return int(wrt) % len(params), params[wrt]
    raise TypeError(
        f"wrt={wrt!r}: one argument of {getattr(func, '__name__', 'the function')}, by position "
        f"(0 to {len(params) - 1}) or by name ({', '.join(params)})"
    )


def _array_argument(func: Callable, name: str, args: tuple, keywords: dict,
                    what: str) -> np.ndarray:
    """The argument ``name`` as one float array: a Jacobian or Hessian has an axis per
    element of it, which a dict or a list of arrays does not give."""
    value = _value_of(func, name, args, keywords)
    values = value.values() if isinstance(value, dict) else (
        value if isinstance(value, (list, tuple)) else ())
    if isinstance(value, dict) or any(np.ndim(v) > 0 for v in values):
        raise DiffError(
            what, f"{what} of '{getattr(func, '__name__', 'f')}' with respect to '{name}', "
            f"a {type(value).__name__} of arrays: it needs one array",
            hint=f"use hvp or vjp, which take {name} as it is, or pass one array "
            "(np.concatenate of the raveled entries) and split it in the function",
        )
    return np.asarray(value, dtype=float)


def _value_of(func: Callable, name: str, args: tuple, keywords: dict) -> object:
    """The value the call ``func(*args, **keywords)`` gives parameter ``name`` (a default
    included)."""
    bound = inspect.signature(func).bind(*args, **keywords)
    bound.apply_defaults()
    return bound.arguments[name]


def _fresh(base: str, taken: list[str]) -> str:
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    return name
