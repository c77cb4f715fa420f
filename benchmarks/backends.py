"""The columns of the benchmark: one way each of computing a problem's gradient.

A column is prepared once per (problem, inputs) and gives back a zero-argument
callable that computes the whole gradient (blocking until it is done, for JAX)
and returns it as something ``to_numpy`` turns into a tuple of NumPy arrays,
one per ``wrt`` argument. Optional columns (autograd, JAX, PyTorch, tangent-ad)
are used only when importable; ``available()`` says why not otherwise.

Other frameworks run the *same source* as the NumPy function: it is
re-executed with the global ``np`` bound to ``autograd.numpy``, ``jax.numpy``
or the small PyTorch shim below.
"""

from __future__ import annotations

import importlib
import inspect
import os
import types
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .problems import Problem


@dataclass
class Column:
    key: str
    title: str
    prepare: Callable[[Problem, tuple], Callable[[], Any]]
    is_gradient: bool = True
    available: bool = True
    reason: str = ""
    version: str = ""


def as_tuple(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def to_numpy(result) -> tuple:
    out = []
    for item in as_tuple(result):
        if hasattr(item, "detach"):  # torch
            item = item.detach().cpu().numpy()
        out.append(np.asarray(item))
    return tuple(out)


def rebind(func: Callable, np_module: Any, helpers: tuple[Callable, ...] = ()) -> Callable:
    """``func`` (and the ``helpers`` it calls) re-executed from its source with the global
    ``np`` bound to ``np_module``."""
    namespace = {"np": np_module}
    for f in (*helpers, func):
        exec(compile(inspect.getsource(f), inspect.getsourcefile(f) or "<problem>", "exec"),
             namespace)
    return namespace[func.__name__]


def fresh_copy(func: Callable) -> Callable:
    """A new function object with ``func``'s code, so per-function caches miss."""
    copy = types.FunctionType(
        func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    copy.__module__ = func.__module__
    copy.__qualname__ = func.__qualname__
    return copy


# --------------------------------------------------------------------------
# Always available

def _forward(problem, args):
    func = problem.func
    return lambda: func(*args)


def _hand(problem, args):
    hand = problem.hand
    return lambda: hand(*args)


def _chain_rule(problem, args):
    gradient = problem.chain_rule or problem.hand
    return lambda: gradient(*args)


def _ours(problem, args):
    import tangent_lsp

    gradient = tangent_lsp.grad(problem.func, wrt=problem.wrt)
    return lambda: gradient(*args)


# --------------------------------------------------------------------------
# autograd

def _autograd(problem, args):
    import autograd
    import autograd.numpy as anp

    func = rebind(problem.func, anp, problem.helpers)
    wrt = problem.wrt
    rest = [i for i in range(len(args)) if i not in wrt]

    def packed(params, *others):
        full = [None] * len(args)
        for i, value in zip(wrt, params):
            full[i] = value
        for i, value in zip(rest, others):
            full[i] = value
        return func(*full)

    gradient = autograd.grad(packed, 0)
    params = tuple(args[i] for i in wrt)
    others = tuple(args[i] for i in rest)
    return lambda: tuple(gradient(params, *others))


# --------------------------------------------------------------------------
# JAX (float64, CPU)

_jax_ready = False


def _jax_modules():
    global _jax_ready
    import jax
    import jax.numpy as jnp

    if not _jax_ready:
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        _jax_ready = True
    return jax, jnp


def _jax(problem, args, jit):
    jax, jnp = _jax_modules()
    func = rebind(problem.func, jnp, problem.helpers)
    gradient = jax.grad(func, argnums=problem.wrt)
    if jit:
        gradient = jax.jit(gradient)
    jargs = tuple(jnp.asarray(a) for a in args)
    return lambda: jax.block_until_ready(gradient(*jargs))


# --------------------------------------------------------------------------
# PyTorch eager (CPU, float64) through a NumPy-named shim

class TorchNumpy:
    """The part of NumPy's namespace the problems use, on torch tensors."""

    def __init__(self, torch):
        self.torch = torch
        for name in ("exp", "log", "sin", "cos", "tanh", "sqrt", "abs"):
            setattr(self, name, getattr(torch, name))

    def sum(self, x, axis=None, keepdims=False):
        t = self.torch
        return t.sum(x) if axis is None else t.sum(x, dim=axis, keepdim=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        t = self.torch
        return t.mean(x) if axis is None else t.mean(x, dim=axis, keepdim=keepdims)

    def max(self, x, axis=None, keepdims=False):
        t = self.torch
        return t.max(x) if axis is None else t.amax(x, dim=axis, keepdim=keepdims)

    def maximum(self, x, y):
        t = self.torch
        if isinstance(y, (int, float)):
            return t.clamp_min(x, y)
        return t.maximum(x, y)


def _torch(problem, args):
    import torch

    func = rebind(problem.func, TorchNumpy(torch), problem.helpers)
    targs = [torch.from_numpy(np.array(a, dtype=np.float64)) for a in args]
    for i in problem.wrt:
        targs[i].requires_grad_(True)
    wrt = [targs[i] for i in problem.wrt]

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x.T on 1-d tensors is deprecated
            return torch.autograd.grad(func(*targs), wrt)

    return run


# --------------------------------------------------------------------------
# tangent-ad (the maintained Tangent fork)

def _tangent_ad(problem, args):
    os.environ.setdefault("TANGENT_DISK_CACHE", "0")
    import tangent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradient = tangent.grad(fresh_copy(problem.func), wrt=problem.wrt)
    return lambda: gradient(*args)


def _probe(module: str, dist: str | None = None) -> tuple[bool, str, str]:
    try:
        if module == "tangent":
            os.environ.setdefault("TANGENT_DISK_CACHE", "0")
        mod = importlib.import_module(module)
    except Exception as error:  # noqa: BLE001 - any import failure means "not available"
        return False, f"`import {module}` failed: {type(error).__name__}: {error}".strip(), ""
    version = getattr(mod, "__version__", "")
    if not version and dist:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version(dist)
        except Exception:  # noqa: BLE001
            version = ""
    return True, "", str(version)


def all_columns(keys=None) -> list[Column]:
    """The columns, in report order; only ``keys`` (and ``hand``) if given.

    Optional frameworks are imported only when their column is asked for.
    """
    import tangent_lsp

    columns = [
        Column("forward", "forward only", _forward, is_gradient=False, version=np.__version__),
        Column("hand", "hand-written", _hand, version=np.__version__),
        Column("chain_rule", "hand-written, chain rule", _chain_rule, version=np.__version__),
        Column("ours", "ours", _ours, version=tangent_lsp.__version__),
    ]
    optional = [
        ("autograd", "autograd", "autograd", "autograd", _autograd),
        ("jax", "JAX eager", "jax", "jax", lambda p, a: _jax(p, a, False)),
        ("jax_jit", "JAX jit", "jax", "jax", lambda p, a: _jax(p, a, True)),
        ("torch", "PyTorch eager", "torch", "torch", _torch),
        ("tangent_ad", "tangent-ad", "tangent", "tangent-ad", _tangent_ad),
    ]
    for key, title, module, dist, prepare in optional:
        if keys is not None and key not in keys:
            continue
        ok, reason, version = _probe(module, dist)
        columns.append(Column(key, title, prepare, available=ok, reason=reason, version=version))
    if keys is not None:
        columns = [c for c in columns if c.key in keys or c.key == "hand"]
    return columns
