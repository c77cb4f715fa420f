"""The engine: source text → derivative source text. No LSP, never runs user code.

    derive(source, "loss") → Derivative(code=..., name="dloss_dW", imports=[...], ...)

The stages run in one direction: parse → resolve → normalize → analyze →
transform → optimize → emit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import gast

from . import analysis, emit, optimize
from .errors import DiffError
from .naming import Namer, derivative_name
from .motion import joint, split
from .normalize import check_signature, normalize
from .parse import Module, parse_module
from .resolve import Resolver, StaticResolver
from .reverse import reverse
from .shapes import shape_classes
from .templates import RUNTIME_MODULE, library

__all__ = ["derive", "differentiate", "Derivative", "DiffError", "source_hash"]


@dataclass
class Derivative:
    """A generated derivative and what is needed to place it in a module."""

    code: str
    name: str
    function: str
    wrt: tuple[str, ...]
    mode: str
    imports: list[str] = field(default_factory=list)
    source_map: dict[int, list[int]] = field(default_factory=dict)
    source_hash: str = ""

    @property
    def header(self) -> str:
        """One comment line naming the source function and the hash of its source."""
        wrt = ", ".join(self.wrt)
        return f"# tangent-lsp: d({self.function})/d({wrt}), from {self.function} (source {self.source_hash})"


def source_hash(module: Module, node: gast.FunctionDef) -> str:
    """Short hash of a function's source text: it tells when a derivative is stale."""
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    end = getattr(node, "end_lineno", node.lineno)
    text = "\n".join(module.lines[start - 1 : end])
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def derive(
    source: str,
    function: str,
    *,
    path: str | None = None,
    mode: str = "reverse",
    wrt: Sequence[str | int] | str | int | None = None,
    optimized: bool = True,
    preserve_result: bool = False,
    seed_default: bool = True,
    motion: str = "joint",
) -> Derivative:
    """Differentiate ``function`` of the module ``source``, resolving names statically."""
    module = parse_module(source, path)
    node = module.function(function)
    return differentiate(
        module, node, StaticResolver(module), mode=mode, wrt=wrt, optimized=optimized,
        preserve_result=preserve_result, seed_default=seed_default, motion=motion,
    )


def _wrt_names(node: gast.FunctionDef, wrt) -> list[str]:
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    if wrt is None:
        wrt = (0,)
    if isinstance(wrt, (str, int)):
        wrt = (wrt,)
    names = []
    for item in wrt:
        if isinstance(item, int):
            if not 0 <= item < len(params):
                raise DiffError(
                    "wrt", f"'{node.name}' has no argument number {item}",
                    hint=f"choose from 0..{len(params) - 1}",
                ).at(node)
            names.append(params[item])
        elif item in params:
            names.append(item)
        else:
            raise DiffError(
                "wrt", f"'{node.name}' has no argument '{item}'",
                hint="choose from " + ", ".join(params),
            ).at(node)
    return names


def differentiate(
    module: Module,
    node: gast.FunctionDef,
    resolver: Resolver,
    *,
    mode: str = "reverse",
    wrt=None,
    optimized: bool = True,
    preserve_result: bool = False,
    seed_default: bool = True,
    motion: str = "joint",
) -> Derivative:
    """The transformation both entry points share, for any resolver."""
    if motion not in ("joint", "split"):
        raise ValueError("motion must be 'joint' or 'split'")
    try:
        return _differentiate(module, node, resolver, mode, wrt, optimized, preserve_result,
                              seed_default, motion)
    except DiffError as error:
        raise error.at(node, module.path) from None
    except RecursionError:
        raise DiffError(
            "function", f"'{node.name}' is nested too deeply to differentiate",
            hint="split very long expressions into several statements",
        ).at(node, module.path) from None


def _differentiate(
    module, node, resolver, mode, wrt, optimized, preserve_result, seed_default, motion
):
    if mode != "reverse":
        raise DiffError(
            "mode", f"mode '{mode}' is not supported yet", hint="use mode='reverse'"
        ).at(node)
    check_signature(node)
    wrt_names = _wrt_names(node, wrt)
    rules = library()
    namer = Namer(_module_names(module.tree))
    imports: list[str] = []
    np_alias = resolver.numpy_alias()
    if np_alias is None:
        np_alias = namer.fresh("np")
        imports.append("import numpy" if np_alias == "numpy" else f"import numpy as {np_alias}")
    fn = normalize(module, node, resolver, namer)
    analysis.bind_rules(fn, rules)
    active = analysis.active_variables(fn, wrt_names)
    name = namer.fresh(derivative_name(node.name, wrt_names))
    result = reverse(
        fn, wrt_names, active, namer, np_alias, name,
        preserve_result=preserve_result, seed_default=seed_default,
    )
    function = result.function
    if optimized:
        temporaries = namer.temporaries
        adjoints_of_temporaries = {
            adj for primal, adj in result.adjoints.items() if primal in temporaries
        }
        inlinable = (temporaries | adjoints_of_temporaries) - {result.seed}
        mergeable = set(result.adjoints.values()) - {result.seed}
        classes = shape_classes(fn)
        classes.adjoint_of = {adj: primal for primal, adj in result.adjoints.items()}
        function = optimize.optimize(function, inlinable, mergeable, classes)
    else:
        function = optimize.drop_empty_comments(function)
    if motion == "split":
        functions = split(function, result.seed, node.args, namer.fresh("saved"))
    else:
        functions = joint(function)
    generated = gast.Module(body=functions, type_ignores=[])
    used = {n.id for n in gast.walk(generated) if isinstance(n, gast.Name)}
    helpers = sorted(h for h in result.helpers if h in used)
    if helpers:
        imports.append(f"from {RUNTIME_MODULE} import {', '.join(helpers)}")
    code, source_map = emit.render(generated)
    return Derivative(
        code=code,
        name=name,
        function=node.name,
        wrt=tuple(wrt_names),
        mode=mode,
        imports=imports,
        source_map=source_map,
        source_hash=source_hash(module, node),
    )


def _module_names(tree: gast.AST) -> set[str]:
    """Every name the module uses: generated names must not shadow any of them."""
    return {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)} | {
        n.name for n in gast.walk(tree) if isinstance(n, (gast.FunctionDef, gast.ClassDef))
    } | {
        (a.asname or a.name).split(".")[0]
        for n in gast.walk(tree) if isinstance(n, (gast.Import, gast.ImportFrom))
        for a in n.names
    }
