"""Derivative templates: load the rule library, bind a call to a template, expand it.

A template is a plain Python function written in ``d[x]`` notation (see
``tangent_lsp/rules``). Rule files are parsed once, never run; each template
is keyed by the qualified names in its decorator.
"""

from __future__ import annotations

import ast
import os
import threading
import tokenize
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import gast

from . import syntax as S
from .errors import DiffError, unsupported
from .naming import Namer
from .parse import Module, parse_module
from .resolve import StaticResolver
from .syntax import dotted_name

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
RUNTIME_MODULE = "tangent_lsp.runtime"
NOTATION_MODULE = "tangent_lsp.rules.notation"


@dataclass
class Template:
    """One rule: ``def name(result, *params)`` with a body in ``d[x]`` notation."""

    keys: tuple[str, ...]
    node: gast.FunctionDef
    source_file: str
    result: str
    params: list[str]
    defaults: dict[str, gast.expr]
    vararg: str | None
    helpers: dict[str, str]  # local helper name → runtime function name
    numpy_names: set[str]  # names the rule file binds to numpy
    positional: int = 0  # how many of ``params`` can be passed by position
    # what is wrong with the body, raised where the rule is used (a user's module may hold
    # a rule being typed; the functions that do not call it are derived as usual)
    problem: DiffError | None = None

    @cached_property  # asked at every call the rule differentiates
    def built_in(self) -> bool:
        """One of the library's rules: written so that an ``axis=axis`` the call leaves
        out repeats the default of the function the body calls (``np.sum(dh)``). A
        user's rule promises no such thing (``def rowsum(y, x, axis=-1)``)."""
        return Path(self.source_file).parent == RULES_DIR

    @cached_property
    def followed_params(self) -> frozenset[str]:
        """The parameters whose ``d[...]`` the body reads or writes: those the rule
        follows the derivative through (not shapes, axes or options)."""
        params = {*self.params, self.vararg}
        return frozenset(
            node.slice.id for node in gast.walk(self.node)
            if _is_d(node) and isinstance(node.slice, gast.Name) and node.slice.id in params
        )

    def indexes_result(self) -> bool:
        """Whether the body reads ``y[0]`` or ``d[y][1]`` of the result ``y``: a rule for a
        function that returns a tuple."""
        for node in gast.walk(self.node):
            if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Constant) and (
                type(node.slice.value) is int
            ):
                inner = node.value.slice if _is_d(node.value) else node.value
                if isinstance(inner, gast.Name) and inner.id == self.result:
                    return True
        return False

    def free_names(self) -> set[str]:
        """The names the body reads that it does not bind: generated code reads them in
        the module that calls the rule's function."""
        bound = {self.result, *self.params, "d", *self.numpy_names, *self.helpers}
        if self.vararg:
            bound.add(self.vararg)
        read: set[str] = set()
        for stmt in self.node.body:
            for node in gast.walk(stmt):
                if isinstance(node, gast.Name):
                    (read if isinstance(node.ctx, gast.Load) else bound).add(node.id)
        return read - bound

    @property
    def text(self) -> str:
        """The template's body as source, for hovers ("d[x] = d[y] * (1 - y * y)")."""
        import ast

        body = [gast.gast_to_ast(S.clone(s)) for s in self.node.body]
        return "\n".join(ast.unparse(ast.fix_missing_locations(s)) for s in body)


@dataclass
class RuleLibrary:
    adjoints: dict[str, Template] = field(default_factory=dict)
    tangents: dict[str, Template] = field(default_factory=dict)
    nondifferentiable: set[str] = field(default_factory=set)

    def merge_file(self, path: Path) -> None:
        # not through parse_module's cache: 16 rule files read once would push the user's
        # buffers out of it (the first derivation after them parsed its module again)
        module = parse_module.__wrapped__(path.read_text(), str(path))
        self.merge_module(module, StaticResolver(module, module_name=path.stem), strict=True)

    def merge_module(self, module: Module, resolver: StaticResolver, strict: bool = False) -> None:
        """Add the templates a module defines with ``@adjoint``/``@tangent_``.

        Rule files are ``strict`` (a key that does not resolve is a bug); a user's
        module is not (a half-typed decorator is just ignored).
        """
        helpers = {
            local: target.rsplit(".", 1)[1]
            for local, target in module.imports.items()
            if target.startswith(RUNTIME_MODULE + ".")
        }
        numpy_names = {local for local, target in module.imports.items() if target == "numpy"}
        for stmt in module.tree.body:
            if isinstance(stmt, gast.FunctionDef):
                for decorator in stmt.decorator_list:
                    if not isinstance(decorator, gast.Call):
                        continue
                    kind = _DECORATORS.get(resolver.qualname(decorator.func))
                    if kind is None:
                        continue
                    table = self.adjoints if kind == "adjoint" else self.tangents
                    keys = tuple(_key(resolver, arg, strict) for arg in decorator.args)
                    template = _template(stmt, keys, module.path or "", helpers, numpy_names,
                                         adjoint=kind == "adjoint")
                    for key in keys:
                        if key is not None:
                            table[key] = template
            elif (
                isinstance(stmt, gast.Expr)
                and isinstance(stmt.value, gast.Call)
                and resolver.qualname(stmt.value.func) == f"{NOTATION_MODULE}.nondifferentiable"
            ):
                keys = (_key(resolver, arg, strict) for arg in stmt.value.args)
                self.nondifferentiable.update(k for k in keys if k is not None)

    def with_module(self, module: Module, resolver: StaticResolver) -> "RuleLibrary":
        """This library plus the rules a user's module defines (if it defines any)."""
        if not any(
            isinstance(s, ast.FunctionDef) and s.decorator_list for s in module.syntax.body
        ):
            return self
        extended = RuleLibrary(
            dict(self.adjoints), dict(self.tangents), set(self.nondifferentiable)
        )
        extended.merge_module(module, resolver)
        return extended


_DECORATORS = {
    f"{NOTATION_MODULE}.adjoint": "adjoint",
    f"{NOTATION_MODULE}.tangent_": "tangent",
    "tangent_lsp.adjoint": "adjoint",
    "tangent_lsp.tangent_": "tangent",
}


def _key(resolver: StaticResolver, node: gast.expr, strict: bool = True) -> str | None:
    key = resolver.qualname(node)
    if key is None and strict:
        raise ValueError(f"cannot resolve rule key {dotted_name(node)!r}")
    return key


def _template(
    node: gast.FunctionDef,
    keys: tuple[str, ...],
    source_file: str,
    helpers: dict[str, str],
    numpy_names: set[str],
    adjoint: bool = True,
) -> Template:
    args = node.args
    names = [a.id for a in args.posonlyargs + args.args]
    positional = len(names) - 1
    defaults = dict(zip(names[len(names) - len(args.defaults):], args.defaults))
    for kwarg, default in zip(args.kwonlyargs, args.kw_defaults):
        names.append(kwarg.id)
        if default is not None:
            defaults[kwarg.id] = default
    template = Template(
        keys=keys,
        node=node,
        source_file=source_file,
        result=names[0],
        params=names[1:],
        defaults=defaults,
        vararg=args.vararg.id if args.vararg else None,
        positional=positional,
        helpers=helpers,
        numpy_names=numpy_names,
    )
    template.problem = _problem(template, adjoint)
    return template


def _problem(template: Template, adjoint: bool) -> DiffError | None:
    """Why the body is not a rule the engine can expand, if it is not: a rule is straight
    code of assignments, each ``d[...]`` written by one statement of its own (a ``d[x]``
    written in an ``if`` or a loop was taken for no derivative at all: zero)."""
    inputs = set(template.params) | ({template.vararg} if template.vararg else set())
    writable, readable = (inputs, {template.result}) if adjoint else ({template.result}, inputs)
    kind = "an adjoint" if adjoint else "a tangent"
    writes = False
    for stmt in template.node.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue  # a docstring
        if not isinstance(stmt, gast.Assign):
            return _rule_error(template, stmt, f"{kind} rule's body holds only assignments, "
                               f"not {type(stmt).__name__}",
                               "compute with expressions (numpy.where for a choice); one "
                               "d[x] = ... per derivative, at the top level of the rule")
        written = [t for target in stmt.targets for t in gast.walk(target) if _is_d(t)]
        if written and not (len(stmt.targets) == 1 and _is_d(stmt.targets[0])):
            return _rule_error(template, stmt, "d[...] written as part of a larger target",
                               "write each derivative by a statement of its own: d[a] = ...")
        writes = writes or bool(written)
        for node in written:
            if not (isinstance(node.slice, gast.Name) and node.slice.id in writable):
                what = gast.unparse(node.slice).strip()
                return _rule_error(
                    template, node, f"{kind} rule writes d[{what}], which is not " + (
                        "one of its parameters" if adjoint else "its result"),
                    "write d[p] for parameters p of the rule" if adjoint else
                    f"write d[{template.result}], the rule's first parameter")
        reads = [n for n in gast.walk(stmt.value) if _is_d(n)]
        for node in reads:
            if not (isinstance(node.slice, gast.Name) and node.slice.id in readable):
                return _rule_error(template, node, f"{kind} rule reads d[x] of " + (
                    "its result" if adjoint else "its parameters"), "")
    if not writes:  # every derivative would be zero, silently
        return _rule_error(
            template, template.node, f"{kind} rule that writes no d[...]",
            "write each derivative as d[x] = ..., with d imported by that name "
            "(from tangent_lsp.rules.notation import d)")
    return None


def _rule_error(template: Template, node: gast.AST, message: str, hint: str) -> DiffError:
    return DiffError(f"rule {template.node.name}", f"rule {template.node.name}: {message}",
                     hint=hint).at(node, template.source_file or None)


_LOADING = threading.Lock()


def library() -> RuleLibrary:
    """The built-in rule library, parsed once per process (a second thread asking while
    the first parses waits for it rather than parsing it too: the language server warms
    it up in the background while requests arrive)."""
    with _LOADING:
        return _library()


@lru_cache(maxsize=1)
def _library() -> RuleLibrary:
    rules = RuleLibrary()
    for path in sorted(RULES_DIR.glob("*.py")):
        if path.name not in ("__init__.py", "notation.py"):
            rules.merge_file(path)
    return rules


def file_rules(path: str, module_name: str) -> RuleLibrary | None:
    """The built-in rules plus the ``@adjoint``/``@tangent_`` templates of a file on
    disk (None when it has none), read again only when the file changes."""
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    return _file_rules(path, mtime, module_name)


@lru_cache(maxsize=64)
def _file_rules(path: str, mtime: float, module_name: str) -> RuleLibrary | None:
    try:
        with tokenize.open(path) as handle:  # as Python reads it: a BOM, a coding line
            source = handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None  # the file itself is read (and its error reported) elsewhere
    if "adjoint" not in source and "tangent_" not in source:
        return None  # no templates here: skip parsing the file
    try:
        module = parse_module(source, path)
    except DiffError:
        return None
    extended = library().with_module(module, StaticResolver(module, module_name=module_name))
    return extended if extended is not library() else None


# --- binding a call to a template ------------------------------------------------


def _default(value: gast.expr) -> gast.expr:
    """A parameter the call left out: its default, marked so that expansion can drop
    ``axis=axis`` keywords that would only repeat a default (``np.sum(dh)``)."""
    value.is_default = True
    return value


def bind(
    template: Template,
    args: list[gast.expr],
    keywords: dict[str, gast.expr],
    node: gast.AST,
    shown: str,
) -> dict[str, gast.expr]:
    """Match the call's arguments to the template's parameters, as Python would."""
    bound: dict[str, gast.expr] = {}
    params = template.params
    positional = params[: template.positional]
    if len(args) > len(positional) and template.vararg is None:
        raise unsupported(
            "call", node,
            f"the derivative rule of {shown} supports at most {len(positional)} positional "
            f"argument{'s' if len(positional) != 1 else ''}" + (
                ": write log(x) / log(base)" if shown.strip("'").endswith("log") else ""
            ),
            message=f"too many positional arguments to {shown} for its derivative rule",
        )
    for param, value in zip(positional, args):
        bound[param] = value
    if template.vararg is not None:
        extra = args[len(positional):]
        bound[template.vararg] = gast.Tuple(elts=list(extra), ctx=gast.Load())
    for key, value in keywords.items():
        if key not in params:
            raise unsupported(
                f"keyword argument '{key}'", node,
                f"the derivative rule of {shown} supports the keywords: "
                + (", ".join(p for p in params if p in template.defaults) or "none"),
                message=f"keyword argument '{key}' of {shown} is not supported",
            )
        if key in bound:
            raise unsupported("call", node, "pass each argument once", f"{shown} got '{key}' twice")
        bound[key] = value
    written = bound.get("out")
    if written is not None and not (isinstance(written, gast.Constant) and written.value is None):
        raise unsupported(
            "out argument", written, "assign the result instead of passing an output array",
            message=f"{shown} with an output argument writes into an array in place: not differentiated",
        )
    for param in params:
        if param not in bound:
            if param not in template.defaults:
                raise unsupported(
                    "call", node, f"pass '{param}'", f"{shown} is missing the argument '{param}'"
                )
            bound[param] = _default(S.clone(template.defaults[param]))
    return bound


# --- expanding a template -----------------------------------------------------------


@dataclass
class Contribution:
    """``d[param] = expr``: add ``expr`` to the adjoint of what ``param`` is bound to."""

    param: str
    value: gast.expr


@dataclass
class Expansion:
    statements: list[gast.stmt | Contribution]
    helpers: set[str]


def _is_d(node: gast.AST) -> bool:
    return (
        isinstance(node, gast.Subscript)
        and isinstance(node.value, gast.Name)
        and node.value.id == "d"
    )


class _Instance:
    """Copies template expressions for one call site: parameters and locals become what
    ``mapping`` binds them to, ``d[name]`` becomes ``derivative_of[name]``, the rule
    file's numpy alias becomes the caller's.

    ``S.rebuilt`` with the replacements written in (one call per node, not two: every
    adjoint of a long function is such a copy). A class, not a recursive closure: a
    closure that calls itself is a reference cycle, which would keep every node the
    mapping holds alive until the cycle collector runs."""

    __slots__ = ("template", "mapping", "derivative_of", "numpy_alias", "helpers_used",
                 "built_in")

    def __init__(self, template, mapping, derivative_of, numpy_alias, helpers_used):
        self.template, self.mapping, self.derivative_of = template, mapping, derivative_of
        self.numpy_alias, self.helpers_used = numpy_alias, helpers_used
        self.built_in = template.built_in

    def copy(self, node):
        cls = node.__class__
        copy = self.copy
        if cls is list:
            return [copy(item) for item in node]
        children = S.CHILD_FIELDS
        fields = children.get(cls)
        if fields is None:
            return node  # str, numbers, None, contexts
        if cls is gast.Name:
            template = self.template
            if node.id in self.mapping:
                return S.clone(self.mapping[node.id])
            if node.id in template.numpy_names:
                return gast.Name(
                    id=self.numpy_alias, ctx=node.ctx, annotation=None, type_comment=None
                )
            if node.id in template.helpers:
                self.helpers_used.add(template.helpers[node.id])
        elif cls is gast.Subscript and _is_d(node):
            inner = node.slice
            if isinstance(inner, gast.Name) and inner.id in self.derivative_of:
                return S.clone(self.derivative_of[inner.id])
            raise ValueError(f"template {self.template.node.name}: bad d[...] use")
        elif cls is gast.Call:
            mapping = self.mapping
            keywords = [  # `axis=axis` where the call left axis out: the default, unsaid
                k for k in node.keywords
                if not (
                    isinstance(k.value, gast.Name) and k.value.id == k.arg
                    and getattr(mapping.get(k.arg), "is_default", False)
                    and self.built_in
                )
            ]
            args = []
            for arg in node.args:
                arg = copy(arg)
                # `*axes` bound to the call's own extra arguments: `dx.transpose(1, 0)`
                if isinstance(arg, gast.Starred) and isinstance(arg.value, (gast.Tuple, gast.List)):
                    args.extend(arg.value.elts)
                else:
                    args.append(arg)
            return gast.Call(func=copy(node.func), args=args, keywords=copy(keywords))
        elif cls is gast.Subscript and not _is_d(node):  # `c_and_lower[1]` of `(L, True)`
            value = copy(node.value)
            index = node.slice
            if index.__class__ is gast.Constant and type(index.value) is int:
                if value.__class__ is gast.Tuple and -len(value.elts) <= index.value < len(value.elts):
                    return value.elts[index.value]
                if value.__class__ is gast.Constant and type(value.value) is float and not value.value:
                    return value  # a zero derivative of a whole tuple: zero in each part
            return gast.Subscript(value=value, slice=copy(index), ctx=node.ctx)
        elif cls is gast.IfExp:  # `y if upper else ...` of an option the call left out
            known = _constant_value(copy(node.test))
            if known is not _UNKNOWN:
                return copy(node.body if known else node.orelse)
        new = cls.__new__(cls)
        values = node.__dict__.copy()
        for key in fields:
            value = values.get(key)
            if value is not None:
                kind = value.__class__
                if kind is list:
                    values[key] = [copy(item) for item in value]
                elif kind in children:
                    values[key] = copy(value)
        new.__dict__ = values
        return new


_UNKNOWN = object()


def _constant_value(test: gast.expr):
    """The value of an option's test made of constants alone (``trans in (1, "T")`` with
    ``trans`` given as ``"T"`` or left out), or ``_UNKNOWN``: an option read at run time
    stays a conditional expression in the generated code."""
    cls = test.__class__
    if cls is gast.Constant:
        return test.value
    if cls is gast.Tuple:
        items = tuple(_constant_value(item) for item in test.elts)
        return _UNKNOWN if any(item is _UNKNOWN for item in items) else items
    if cls is gast.UnaryOp and test.op.__class__ is gast.Not:
        value = _constant_value(test.operand)
        return _UNKNOWN if value is _UNKNOWN else not value
    if cls is gast.Compare and len(test.ops) == 1 and test.ops[0].__class__ in _TESTS:
        left, right = _constant_value(test.left), _constant_value(test.comparators[0])
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        return _TESTS[test.ops[0].__class__](left, right)
    return _UNKNOWN


_TESTS = {
    gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b,
    gast.Eq: lambda a, b: a == b, gast.NotEq: lambda a, b: a != b,
}


def expand(
    template: Template,
    bound: dict[str, gast.expr],
    result: gast.expr,
    derivatives: dict[str, gast.expr],
    namer: Namer,
    numpy_alias: str,
) -> Expansion:
    """Instantiate the template for one call site.

    ``bound`` maps parameters to the call's (atomic) arguments, ``result`` is
    the call's result, ``derivatives`` maps template names to the expressions
    ``d[name]`` stands for when read (the result's adjoint in reverse mode).
    Locals the template assigns are renamed to fresh temporaries.
    """
    mapping: dict[str, gast.expr] = dict(bound)
    mapping[template.result] = result
    helpers: set[str] = set()
    if template.problem is not None:
        raise template.problem
    # `mapping` grows as the template's locals get names: later statements see them
    instantiate = _Instance(template, mapping, derivatives, numpy_alias, helpers).copy
    out: list[gast.stmt | Contribution] = []
    for stmt in template.node.body:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
            continue  # docstring
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and _is_d(stmt.targets[0]):
            param = stmt.targets[0].slice
            out.append(Contribution(param.id, instantiate(stmt.value)))
            continue
        if isinstance(stmt, gast.Assign):
            value = instantiate(stmt.value)
            targets = []
            for target in stmt.targets:
                target = S.clone(target)
                for sub in gast.walk(target):
                    if isinstance(sub, gast.Name):
                        fresh = namer.fresh(sub.id, temporary=True)
                        mapping[sub.id] = gast.Name(
                            id=fresh, ctx=gast.Load(), annotation=None, type_comment=None
                        )
                        sub.id = fresh
                targets.append(target)
            out.append(gast.Assign(targets=targets, value=value, type_comment=None))
            continue
        raise ValueError(f"template {template.node.name}: unsupported statement {type(stmt).__name__}")
    return Expansion(out, helpers)

