"""The Tangent-compatible run-time API: ``grad``, ``autodiff``, ``vjp``.

These read the live function's source, differentiate it with the same engine
the editor uses (resolving names through the function's globals instead of
its module's text), and compile the generated source. The generated function
is real source registered with ``linecache``, so ``inspect.getsource`` works
on it and it can be differentiated again.
"""

from __future__ import annotations

import ast
import enum
import hashlib
import functools
import inspect
import linecache
import os
import types
from typing import Any, Callable, Sequence

from .engine import Derivative, DiffError, differentiate
from .engine.parse import parse_function_source
from .engine.resolve import RuntimeResolver, function_namespace
from .engine.source_check import check_source_runs
from .engine.templates import RuleLibrary, file_rules
from .live_cache import DerivativeCache, made_from


class INPUT_DERIVATIVE(enum.Enum):
    """Whether the generated function's output seed must be passed (Tangent's option)."""

    Required = 1
    DefaultOne = 2


_cache = DerivativeCache()


def _module_rules(func: Callable) -> RuleLibrary | None:
    """The built-in rules plus the ``@adjoint`` templates of the function's own file (of
    the user's file a generated derivative was made from: its calls of ``gammaln`` need
    the user's rules again, differentiated a second time)."""
    func = inspect.unwrap(func)  # (a functools.lru_cache wrapper has no file)
    carried = getattr(func, "module_rules", None)
    if carried is not None:
        return carried
    path = inspect.getsourcefile(func)
    if not path or not os.path.exists(path):
        return None
    return file_rules(path, func.__module__)


def derivative_source(
    func: Callable,
    wrt: Sequence[int | str] = (0,),
    optimized: bool = True,
    mode: str = "reverse",
    preserve_result: bool = False,
    seed_default: bool = True,
    motion: str = "joint",
) -> Derivative:
    """The generated derivative of a live function, as a ``Derivative`` (source text)."""
    return _derive_live(
        func, wrt, optimized, mode, preserve_result, seed_default, motion
    )[0]


def _derive_live(func, wrt, optimized, mode, preserve_result, seed_default, motion):
    """The derivative, the namespace its code runs in (the function's globals, plus
    those of the functions it calls), the module values it reads again on every call,
    and what it was made from."""
    func = inspect.unwrap(func)
    if inspect.ismethod(func):  # `grad(model.loss)`: its first parameter is the instance
        raise DiffError(
            "function", f"{func.__qualname__} is a bound method: its first argument is "
            f"the instance, not an input", hint=f"differentiate the function "
            f"({type(func.__self__).__name__}.{func.__name__}) and pass the instance first, "
            "with wrt= counting it",
        )
    if isinstance(func, functools.partial):
        inner = getattr(func.func, "__name__", "the function")
        fixed = ", ".join([*(f"argument {i}" for i in range(len(func.args))), *func.keywords])
        raise DiffError(
            "function", f"a functools.partial of '{inner}' has no source of its own to "
            "differentiate", hint=f"differentiate '{inner}' itself (wrt= naming the "
            f"arguments to differentiate) and pass {fixed or 'the fixed arguments'} when "
            "calling its derivative",
        )
    if getattr(func, "__name__", "") == "<lambda>":
        raise DiffError(
            "function", "a lambda has no source of its own to differentiate",
            hint="define the function with def at module level",
        )
    try:
        lines, first_line = inspect.getsourcelines(func)
    except (OSError, TypeError) as error:
        raise DiffError(
            "function", f"cannot read the source of {func!r}: {error}",
            hint="define the function in a file (not in an interactive prompt)",
        ) from None
    path = inspect.getsourcefile(func)
    check_source_runs(func, first_line)
    module = parse_function_source("".join(lines), path, first_line)
    node = module.tree.body[0]
    resolver = RuntimeResolver(function_namespace(func), func)
    try:
        derivative = differentiate(
            module, node, resolver, mode=mode, wrt=wrt, optimized=optimized,
            preserve_result=preserve_result, seed_default=seed_default, motion=motion,
            rules=_module_rules(func),
        )
    except DiffError as error:
        error.path = error.path or path
        error.args = (error.format(),)  # file:line:col: message, also in a traceback
        raise
    namespace: dict[str, Any] = {}
    for callee_namespace in reversed(resolver.namespaces()):  # the caller's names win
        namespace.update(callee_namespace)
    for alias, (owner, name) in resolver.borrowed.items():  # a callee's global, rebound here
        namespace[alias] = owner.namespace[name]
    live = _live_values(derivative, namespace, resolver.sources())
    return derivative, namespace, live, made_from(func, *resolver.made_from())


def _live_values(
    derivative: Derivative, namespace: dict[str, Any], sources: dict[str, tuple[dict, str]]
) -> dict[str, tuple[dict, str]]:
    """The module-level values (numbers, arrays, lists: not modules, functions or classes)
    the generated code reads, with where their current values live: read again on each
    call, as the function itself would (``lam = 0.1`` changed after ``grad(f)``)."""
    read = {
        node.id for node in ast.walk(ast.parse(derivative.code))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return {
        name: sources[name] for name in sorted(read & set(sources))
        if name in namespace and not _is_code(namespace[name]) and not name.startswith("__")
    }


def _is_code(value: Any) -> bool:
    return callable(value) or isinstance(value, types.ModuleType)


def _keep_defaults(derivative: Callable, func: Callable) -> None:
    """The derivative's defaults for the function's own parameters are the function's
    values (``def f(x, c=lam)`` took ``lam`` when it was defined), not the source text
    evaluated again now; the seed's or tangents' defaults follow them."""
    inner = inspect.unwrap(derivative)
    own, made = func.__defaults__ or (), inner.__defaults__ or ()
    if own and len(made) >= len(own):
        inner.__defaults__ = tuple(own) + tuple(made[len(own):])
    if func.__kwdefaults__:
        inner.__kwdefaults__ = {**(inner.__kwdefaults__ or {}), **func.__kwdefaults__}


def compile_derivative(
    derivative: Derivative, namespace: dict[str, Any],
    live: dict[str, tuple[dict, str]] | None = None,
) -> Callable:
    """Execute generated source in ``namespace`` and return the derivative function; with
    ``live`` (name → the module globals and name holding its current value), one that
    reads those values again on every call."""
    source = "\n".join(derivative.imports + ["", ""]) + derivative.code
    # one file name per distinct code: inspect.getsource must find *this* code again
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<tangent-lsp {derivative.name} {digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    function = namespace[derivative.name]
    function.derivative = derivative
    if not live:
        return function
    function.live_globals = live  # differentiated again: where its module values live

    @functools.wraps(function)
    def reading_module_values(*args, **kwargs):
        for name, (values, key) in live.items():
            if key in values:
                namespace[name] = values[key]
        return function(*args, **kwargs)

    reading_module_values.derivative = derivative
    return reading_module_values


def autodiff(
    func: Callable,
    wrt: Sequence[int] | int = (0,),
    optimized: bool = True,
    motion: str = "joint",
    mode: str = "reverse",
    preserve_result: bool = False,
    check_dims: bool = True,
    input_derivative: INPUT_DERIVATIVE = INPUT_DERIVATIVE.Required,
    verbose: int = 0,
) -> Callable:
    """Generate, compile and return the derivative of ``func``.

    Reverse mode: the result takes ``func``'s arguments then the output seed and
    returns the gradients (one array for one ``wrt``, a tuple for several),
    followed by ``func``'s value when ``preserve_result``. Forward mode: it takes
    ``func``'s arguments then one tangent per ``wrt`` argument and returns the
    output's tangent. ``motion='split'``
    generates a forward half that returns what the backward half needs, a
    backward half, and a wrapper with the same signature as the joint function.
    """
    if motion not in ("joint", "split"):
        raise ValueError("motion must be 'joint' or 'split'")
    if isinstance(wrt, int):
        wrt = (wrt,)
    seed_default = input_derivative is INPUT_DERIVATIVE.DefaultOne
    options = (tuple(wrt), optimized, mode, preserve_result, seed_default, motion)
    cached = _cache.get(func, options)
    if cached is None:
        derivative, namespace, live, made = _derive_live(
            func, wrt, optimized, mode, preserve_result, seed_default, motion
        )
        cached = compile_derivative(derivative, namespace, live)
        inspect.unwrap(cached).module_rules = _module_rules(func)
        _keep_defaults(cached, inspect.unwrap(func))
        _cache.put(func, options, cached, made)
    if verbose:
        print("\n".join(cached.derivative.imports + [""]) + cached.derivative.code)
    return cached


def grad(
    func: Callable,
    wrt: Sequence[int] | int = (0,),
    optimized: bool = True,
    preserve_result: bool = False,
    check_dims: bool = True,
    verbose: int = 0,
) -> Callable:
    """Gradient of a scalar-valued function; the output seed defaults to 1.0. With
    ``check_dims``, a function that returns several values (``return loss, aux``) is an
    error rather than the gradient of their sum."""
    derivative = autodiff(
        func, wrt=wrt, optimized=optimized, motion="joint", mode="reverse",
        preserve_result=preserve_result, check_dims=check_dims,
        input_derivative=INPUT_DERIVATIVE.DefaultOne, verbose=verbose,
    )
    if check_dims:
        _returns_one_value(func, derivative)
    if getattr(func, "primal", None) is not None:  # grad(jvp(f)): called as jvp(f) is
        return inputs_last(func, derivative, 0)
    return derivative


def _returns_one_value(func: Callable, derivative: Callable) -> None:
    """A DiffError if ``func`` returns a tuple or list: its derivative's seed is one."""
    inner = inspect.unwrap(derivative)
    code = getattr(inner, "__code__", None)
    starred = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS
    if code is not None and not code.co_kwonlyargcount and not code.co_flags & starred:
        # the seed is the last positional parameter: read without inspect.signature,
        # which cost four fifths of a cached `grad(f)` (asked in training loops)
        seed = inner.__defaults__[-1] if inner.__defaults__ else None
    else:
        params = list(inspect.signature(inner).parameters.values())
        seed = params[-1].default if params else None
    if isinstance(seed, (tuple, list)):
        func = inspect.unwrap(func)
        error = DiffError(
            "function", f"'{func.__name__}' returns {len(seed)} values: grad differentiates "
            "a function that returns one number",
            hint="return the loss alone, or use vjp with a seed for each value "
            "(check_dims=False gives the gradient of their sum)",
            path=inspect.getsourcefile(func), line=func.__code__.co_firstlineno, col=0,
        )
        error.args = (error.format(),)
        raise error


def jvp(
    func: Callable,
    wrt: Sequence[int] | int = (0,),
    optimized: bool = True,
    preserve_result: bool = False,
    check_dims: bool = True,
    verbose: int = 0,
) -> Callable:
    """Jacobian-vector product (forward mode): the generated function takes ``func``'s
    arguments, then one tangent per ``wrt`` argument, and returns the output's tangent
    (followed by ``func``'s value when ``preserve_result``). When ``func`` has parameters
    with defaults, the last positional arguments of a call are the tangents, however
    many of those parameters the call leaves out."""
    forward = autodiff(
        func, wrt=wrt, optimized=optimized, mode="forward", preserve_result=preserve_result,
        check_dims=check_dims, verbose=verbose,
    )
    return inputs_last(func, forward, 1 if isinstance(wrt, (int, str)) else len(wrt), wrt)


def inputs_last(func: Callable, derivative: Callable, count: int,
                wrt: Sequence[int | str] | int | str | None = None) -> Callable:
    """``derivative`` called as ``derivative(*args, *inputs)`` (``count`` tangents, or a
    seed) even when ``args`` leaves out parameters of ``func`` that have defaults: the
    generated ``tf_dx(x, y=None, dx=1.0)`` would bind ``jvp(f)(x, v)``'s ``v`` to ``y``.
    The inputs are made float (an integer direction ``[1, 0, 0]`` would truncate what is
    written into a copy of it); a list given for an array argument ``wrt`` names becomes
    an array (``dx * 2`` of a list repeats it).

    ``func`` may itself be such a derivative (``grad(jvp(f))``): its inputs come first,
    then ``count`` more, all after the arguments of the function it differentiates."""
    wrt = (wrt,) if isinstance(wrt, (int, str)) else tuple(wrt or ())
    # one wrapper per derivative (kept on it: `vjp(f)` in a training loop asks each step,
    # and two signatures cost 30 us); the derivative belongs to one function
    made = getattr(derivative, "inputs_last_wrappers", None)
    if made is None:
        made = derivative.inputs_last_wrappers = {}
    if (count, wrt) not in made:
        made[(count, wrt)] = _inputs_last(func, derivative, count, wrt)
    return made[(count, wrt)]


def _inputs_last(func: Callable, derivative: Callable, count: int,
                 wrt: tuple[int | str, ...]) -> Callable:
    primal = getattr(func, "primal", None)
    if primal is not None:
        count, wrt, func = func.inputs + count, (*func.wrt, *wrt), primal
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p for p in inspect.signature(func).parameters.values() if p.kind in positional]
    defaults = any(p.default is not p.empty for p in params)
    names = [p.name for p in inspect.signature(derivative).parameters.values()
             if p.kind in positional][len(params):len(params) + count]
    param_names = [p.name for p in params]
    positions = [w if isinstance(w, int) else param_names.index(w) if w in param_names else None
                 for w in wrt]

    @functools.wraps(derivative)
    def with_inputs_last(*args, **kwargs):
        if len(args) <= count or any(name in kwargs for name in names):
            return derivative(*args, **kwargs)
        primals, inputs = args[:-count], list(args[-count:])
        for i, value in enumerate(inputs):
            position = positions[i] if i < len(positions) else None
            primal = primals[position] if position is not None and position < len(primals) else None
            inputs[i] = _float_input(value, primal)
        if not defaults:
            return derivative(*primals, *inputs, **kwargs)
        return derivative(*primals, **dict(zip(names, inputs)), **kwargs)

    with_inputs_last.inputs = count
    with_inputs_last.wrt = wrt
    with_inputs_last.primal = func
    return with_inputs_last


def _float_input(value: Any, primal: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return value.astype(float)
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        return float(value)
    if isinstance(value, (list, tuple)) and isinstance(primal, np.ndarray):
        return np.asarray(value, dtype=float)
    return value


def vjp(
    func: Callable,
    wrt: Sequence[int] | int = (0,),
    optimized: bool = True,
    motion: str = "joint",
    preserve_result: bool = False,
    check_dims: bool = True,
    verbose: int = 0,
) -> Callable:
    """Vector-Jacobian product: the generated function takes the output seed last."""
    backward = autodiff(
        func, wrt=wrt, optimized=optimized, motion=motion, mode="reverse",
        preserve_result=preserve_result, check_dims=check_dims,
        input_derivative=INPUT_DERIVATIVE.Required, verbose=verbose,
    )
    return inputs_last(func, backward, 1)
