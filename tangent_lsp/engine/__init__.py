"""The engine: source text → derivative source text. No LSP, never runs user code.

    derive(source, "loss") → Derivative(code=..., name="dloss_dW", imports=[...], ...)

The stages run in one direction: parse → resolve → normalize → analyze →
transform → optimize → emit.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import gast

from . import emit
from . import syntax as S
from .errors import DiffError
from .motion import joint, split
from .helper_names import alias_shadowed_helpers
from .naming import Namer, derivative_name
from .checks import check_signature
from .distinct_results import copy_shared_results
from .parse import Module, parse_module, reachable_functions
from .program import Program, module_names
from .project import files_read
from .resolve import Resolver, StaticResolver
from .templates import RUNTIME_MODULE, RuleLibrary
from .unused_results import drop_unused_results

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
    # the other files of the project it read (path → modification time then): when one
    # changes, so may the derivative
    files_read: dict[str, float | None] = field(default_factory=dict, repr=False)

    @property
    def header(self) -> str:
        """One comment line naming the source function and the hash of its source."""
        wrt = ", ".join(self.wrt)
        mode = " [forward]" if self.mode == "forward" else ""
        return (
            f"# tangent-lsp: d({self.function})/d({wrt}){mode}, from {self.function} "
            f"(source {self.source_hash})"
        )


def source_hash(module: Module, node: gast.FunctionDef, reachable: list | None = None) -> str:
    """Short hash of a function's source text and of the module's functions it calls
    (transitively, by name): it tells when a derivative is stale, also after a callee
    whose derivative it includes changed. ``module`` needs ``lines`` and ``functions``
    (a name → node mapping; gast or stdlib nodes). ``reachable``: those functions, if
    known (``reachable_functions``)."""
    first, *callees = reachable or reachable_functions(module.functions, node)
    texts = [_source_text(module, first)]
    texts += [_source_text(module, f) for f in sorted(callees, key=lambda f: f.name)]
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:8]


def _source_text(module: Module, node) -> str:
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    end = getattr(node, "end_lineno", node.lineno)
    return "\n".join(module.lines[start - 1 : end])


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
    try:
        node = module.function(function)
    except DiffError as error:  # (converted on first use: too deep an expression)
        raise error.at(None, path).read_in(path, module.lines) from None
    return differentiate(
        module, node, StaticResolver(module), mode=mode, wrt=wrt, optimized=optimized,
        preserve_result=preserve_result, seed_default=seed_default, motion=motion,
    )


def _wrt_names(node: gast.FunctionDef, wrt) -> list[str]:
    params = [a.id for a in node.args.posonlyargs + node.args.args]
    if not params:
        raise DiffError(
            "wrt", f"'{node.name}' has no arguments to differentiate with respect to",
            hint="give the function the arguments it depends on",
        ).at(node)
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
        elif item in {a.id for a in node.args.kwonlyargs}:
            raise DiffError(
                "wrt", f"'{item}' is a keyword-only parameter of '{node.name}'",
                hint="make it positional to differentiate with respect to it",
            ).at(node)
        else:
            raise DiffError(
                "wrt", f"'{node.name}' has no argument '{item}'",
                hint="choose from " + ", ".join(params),
            ).at(node)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DiffError(
            "wrt", f"'{repeated[0]}' is named twice in wrt", hint="name each argument once",
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
    rules: RuleLibrary | None = None,
) -> Derivative:
    """The transformation both entry points share, for any resolver.

    ``rules`` defaults to the built-in library plus the ``@adjoint`` templates the
    module itself defines."""
    if motion not in ("joint", "split"):
        raise ValueError("motion must be 'joint' or 'split'")
    # The passes build and drop tens of thousands of tree nodes, none of them in
    # reference cycles; the cycle collector, triggered by every 700 of them, would
    # rescan every live object each time (a fifth of the time on long functions).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with files_read() as read:
            try:
                derivative = _differentiate(module, node, resolver, mode, wrt, optimized,
                                            preserve_result, seed_default, motion, rules)
            except DiffError as error:
                error.files_read = dict(read)
                raise
        derivative.files_read = read
        return derivative
    except DiffError as error:
        raise error.at(node, module.path).read_in(module.path, module.lines) from None
    except RecursionError:
        raise DiffError(
            "function", f"'{node.name}' is nested too deeply to differentiate",
            hint="split very long expressions into several statements",
        ).at(node, module.path) from None
    finally:
        if collecting:
            gc.enable()


_MAX_DEPTH = 99  # Python compiles at most 100 nested blocks (the function's body is one)


def _check_nesting(code: str, node) -> None:
    """A DiffError if the derivative nests more blocks than Python compiles (a conditional
    expression becomes an ``if``: ``a if c else (b if d else ...)`` 99 deep)."""
    depth = max((len(line) - len(line.lstrip(" "))) // 4 for line in code.splitlines())
    if depth > _MAX_DEPTH:
        raise DiffError(
            "nesting", f"the derivative would nest {depth} blocks: Python compiles at most 100",
            hint="split the nested conditional expressions or blocks into separate statements",
        ).at(node)


def _differentiate(
    module, node, resolver, mode, wrt, optimized, preserve_result, seed_default, motion, rules
):
    if mode not in ("reverse", "forward"):
        raise DiffError(
            "mode", f"unknown mode '{mode}'", hint="use mode='reverse' or mode='forward'"
        ).at(node)
    check_signature(node)
    wrt_names = _wrt_names(node, wrt)
    program = Program(module, resolver, optimized=optimized, rules=rules)
    program.function_names = Namer(module_names(module) | resolver.global_names())
    imports: list[str] = []
    if resolver.numpy_alias() is None:  # imported below if the derivative calls NumPy
        program.np_alias = program.function_names.fresh("np")
    halves = ("_forward", "_backward") if motion == "split" and mode == "reverse" else ()
    name = program.function_names.fresh_stem(derivative_name(node.name, wrt_names, mode), halves)
    generated = program.generate(
        module, node, resolver, wrt_names, name, preserve_result=preserve_result,
        seed_default=seed_default, mode=mode,
    )
    # what the caller gets back (not the functions it calls: their results stay inside)
    function, copies = copy_shared_results(generated.function)
    if copies:
        program.helpers.add("copied")
    if mode == "reverse" and motion == "split":
        functions = split(function, generated.seed, node.args, generated.namer.fresh("saved"))
        program.helpers |= {"copied", "shape_of"}  # imported if the backward half uses them
    else:
        functions = joint(function)
    if optimized and program.callees:
        drop_unused_results(functions + program.callees, program.forward_halves())
    generated_module = gast.Module(body=functions + program.callees, type_ignores=[])
    imports.extend(line for line in program.imports if line not in imports)
    used = {n.id for n in S.names(generated_module)}
    if resolver.numpy_alias() is None and program.np_alias in used:
        alias = program.np_alias
        line = "import numpy" if alias == "numpy" else f"import numpy as {alias}"
        if line not in imports:
            imports.insert(0, line)
    helpers = sorted(h for h in program.helpers if h in used)
    reachable = reachable_functions(module.functions, node)  # the user's code read here
    aliases = alias_shadowed_helpers(generated_module, helpers, module, node, resolver, reachable)
    if helpers:
        imported = (f"{h} as {aliases[h]}" if h in aliases else h for h in helpers)
        imports.append(f"from {RUNTIME_MODULE} import {', '.join(imported)}")
    code, source_map = emit.render(generated_module)
    _check_nesting(code, node)
    return Derivative(
        code=code,
        name=name,
        function=node.name,
        wrt=tuple(wrt_names),
        mode=mode,
        imports=imports,
        source_map=source_map,
        source_hash=source_hash(module, node, reachable),
    )
