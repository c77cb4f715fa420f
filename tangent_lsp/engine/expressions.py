"""Expressions → A-normal form: the handlers ``normalize.py``'s dispatch table
(``_EXPRESSIONS``) sends each expression to. Each names its operands as atoms and
emits one operation (``Op``) for its value: an operator or a call with its rule key,
a subscript, a literal, a constant that carries no derivative (comparisons, masks,
f-strings). A mixin of the normalizer, whose ``expr``, ``emit`` and name lookups
it uses.
"""

from __future__ import annotations

import gast

from . import syntax as S
from .control import DICT_KEYS, is_dict
from .effects import check_out_keywords
from .errors import DiffError, unsupported
from .truth import is_truth_value, read_as_written

BINARY_OPERATORS: dict[type, str] = {
    gast.Add: "numpy.add",
    gast.Sub: "numpy.subtract",
    gast.Mult: "numpy.multiply",
    gast.Div: "numpy.true_divide",
    gast.FloorDiv: "numpy.floor_divide",
    gast.Mod: "numpy.mod",
    gast.Pow: "numpy.power",
    gast.MatMult: "numpy.matmul",
}
UNARY_OPERATORS: dict[type, str] = {gast.USub: "numpy.negative", gast.UAdd: "numpy.positive"}
OPERATOR_SYMBOLS: dict[type, str] = {
    gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//",
    gast.Mod: "%", gast.Pow: "**", gast.MatMult: "@", gast.USub: "unary -", gast.UAdd: "unary +",
    gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>",
    gast.Invert: "~", gast.Not: "not",
}


class Expressions:
    """The expression handlers (see the module's docstring)."""

    def atom_or_copy(self, atom: gast.expr, target: str | None, node: gast.AST) -> gast.expr:
        if target is None:
            return atom
        return self.emit(target, atom, "copy", node)

    def name_expr(self, node: gast.Name, target: str | None) -> gast.expr:
        if node.id in self.local_names:
            return self.atom_or_copy(self.lookup(node), target, node)
        if not self.resolver.is_global(node.id):
            raise DiffError(
                "name", f"'{node.id}' is not defined",
                hint="define or import it in the module, or pass it as an argument",
            ).at(node)
        return self.atom_or_copy(S.clone(node), target, node)  # a global: a constant here

    def constant_expr(self, node: gast.Constant, target: str | None) -> gast.expr:
        return self.atom_or_copy(S.clone(node), target, node)

    def binop(self, node: gast.BinOp, target: str | None) -> gast.expr:
        key = BINARY_OPERATORS.get(type(node.op))
        left, right = self.expr(node.left), self.expr(node.right)
        value = gast.BinOp(left=left, op=S.clone(node.op), right=right)
        if key is None:  # &, |, ^, <<, >>: integers and masks (`(x > 0) & (x < 1)`)
            return self.emit(target, value, "constant", node)
        if S.is_repeated_constants(value):  # `[None] * T`: slots to fill, no derivative
            return self.emit(target, value, "constant", node)
        symbol = OPERATOR_SYMBOLS[type(node.op)]
        shown = f"operator '{symbol}'"
        sequence = isinstance(node.op, (gast.Add, gast.Mult)) and any(
            self._is_sequence(side) for side in (left, right)
        )
        if sequence and isinstance(node.op, gast.Add) and self._joined(left, right):
            return self.emit(target, value, "rule", node, key="operator.concat",
                             shown="'+' of lists", args=[left, right])
        result = self.emit(target, value, "rule", node, key=key, shown=shown, args=[left, right])
        if sequence:  # `xs * 2`, `w + [1.0, 2.0]`: a repeated sequence, or an array plus a
            # list (NumPy adds them elementwise): reported (a shape's too: no error then)
            self.body[-1].error = DiffError(
                f"'{symbol}' with a list or tuple",
                f"'{symbol}' with a list or tuple operand is not differentiated",
                hint="build the list with a comprehension or append; for arithmetic, make "
                "the literal an array (np.array([...]))",
            ).at(node)
        return result

    def _is_sequence(self, side: gast.expr) -> bool:
        return isinstance(side, (gast.Tuple, gast.List)) or getattr(side, "id", None) in self.sequences

    def _joined(self, left: gast.expr, right: gast.expr) -> bool:
        """``+`` joins lists or tuples: both sides are (a literal, a name bound to one), or
        one is a parameter and the other a list holding values (``hs + [h]``, the idiom;
        ``w + [1.0, 2.0]`` may be an array plus a list, which NumPy adds elementwise)."""
        if self._is_sequence(left) and self._is_sequence(right):
            return True
        listed, other = (left, right) if self._is_sequence(left) else (right, left)
        holds_values = isinstance(listed, (gast.Tuple, gast.List)) and any(
            not isinstance(e, gast.Constant) for e in listed.elts
        )  # (a name bound to a list, `x + c`, may be NumPy's broadcast sum too)
        return holds_values and isinstance(other, gast.Name) and other.id in self.params

    def unaryop(self, node: gast.UnaryOp, target: str | None) -> gast.expr:
        if isinstance(node.op, (gast.USub, gast.UAdd)) and isinstance(node.operand, gast.Constant):
            value = node.operand.value
            if isinstance(value, (int, float, complex)) and not isinstance(value, bool):
                folded = S.constant(-value if isinstance(node.op, gast.USub) else value)
                return self.atom_or_copy(gast.copy_location(folded, node), target, node)
        operand = self.expr(node.operand)
        value = gast.UnaryOp(op=S.clone(node.op), operand=operand)
        key = UNARY_OPERATORS.get(type(node.op))
        if key is None:
            return self.emit(target, value, "constant", node)  # not, ~
        shown = f"operator '{OPERATOR_SYMBOLS[type(node.op)]}'"
        return self.emit(target, value, "rule", node, key=key, shown=shown, args=[operand])

    def boolean(self, node: gast.BoolOp, target: str | None) -> gast.expr:
        """``a > 0 and b < 1``: a truth value, no derivative. (``x or y`` of arrays picks
        one of them, and would carry one: that is rejected rather than silently wrong.)"""
        if not all(is_truth_value(v, self.resolver, self.local_names) for v in node.values):
            raise unsupported(
                "'and'/'or' of values", node,
                "use it in an if/while test, wrap it in bool(...), or use np.where",
            )
        return self.emit(target, self.rename(node), "constant", node)

    def compare(self, node: gast.Compare, target: str | None) -> gast.expr:
        left = self.expr(node.left)
        rights = [self.expr(c) for c in node.comparators]
        value = gast.Compare(left=left, ops=S.clone(node.ops), comparators=rights)
        return self.emit(target, value, "constant", node)

    def formatted(self, node: gast.JoinedStr, target: str | None) -> gast.expr:
        """``f"W{i}"``: a string (a dict key, a message), which carries no derivative."""
        return self.emit(target, self._formatted_parts(node), "constant", node)

    def _formatted_parts(self, node: gast.JoinedStr) -> gast.JoinedStr:
        parts = []
        for part in node.values:
            if isinstance(part, gast.FormattedValue):
                spec = part.format_spec
                part = gast.FormattedValue(
                    value=self.expr(part.value), conversion=part.conversion,
                    format_spec=None if spec is None else self._formatted_parts(spec),
                )
            parts.append(S.clone(part))
        return gast.JoinedStr(values=parts)

    def literal(self, node: gast.Tuple | gast.List, target: str | None) -> gast.expr:
        elements = [self.expr(e) for e in node.elts]
        value = type(node)(elts=elements, ctx=gast.Load())
        if target is None:
            return value  # a literal of atoms is itself an operand
        return self.emit(target, value, "literal", node)

    def dict_literal(self, node: gast.Dict, target: str | None) -> gast.expr:
        """``{"W": W, "b": b}``: constant keys, values normalized."""
        if any(k is None for k in node.keys):  # `{**params}`: gast writes a None key
            shown = next(S.dotted_name(v) for k, v in zip(node.keys, node.values) if k is None)
            raise unsupported(
                "dict unpacking ('**' in a dict literal)", node,
                f"copy the dict instead: dict({shown or 'params'}), then set its entries",
            )
        if any(not isinstance(k, gast.Constant) for k in node.keys):
            raise unsupported("dict with computed keys", node, "use constant keys")
        values = [self.expr(v) for v in node.values]
        value = gast.Dict(keys=S.clone(node.keys), values=values)
        return self.emit(target, value, "literal", node)

    def argument(self, node: gast.expr) -> gast.expr:
        """Call arguments: atoms, or tuple/list literals of atoms (np.concatenate((a, b))),
        starred too (``np.random.randn(*x.shape)``, ``np.zeros((*x.shape, 2))``: whether
        a rule can follow one is decided when rules are bound)."""
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self.argument(e) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Starred):
            return gast.Starred(value=self.expr(node.value), ctx=gast.Load())
        return self.expr(node)

    def call(self, node: gast.Call, target: str | None) -> gast.expr:
        func = node.func
        for keyword in node.keywords:
            if keyword.arg is None:
                raise unsupported("**kwargs argument", keyword.value, "pass keyword arguments by name")
        check_out_keywords(node)
        method_of_value = isinstance(func, gast.Attribute) and (
            not self._is_global_chain(func) or self.resolver.qualname(func) is None
        )  # x.sum(), or W.reshape(2, 3) on a module-level array
        if (
            method_of_value and func.attr == "pop" and not node.args and not node.keywords
            and self.is_local(func.value)
        ):  # `h = tape.pop()`: in generated code that is differentiated again
            receiver = self.lookup(func.value)
            value = S.call(S.attribute(receiver, "pop"), [])
            return self.emit(target, value, "pop", node, args=[receiver])
        if method_of_value and func.attr == "get" and len(node.args) in (1, 2) and not node.keywords:
            # `params.get("W")` reads a dict entry (an array has no `.get`)
            entry = gast.copy_location(
                gast.Subscript(value=func.value, slice=node.args[0], ctx=gast.Load()), node)
            if len(node.args) == 2:
                present = gast.copy_location(gast.Compare(
                    left=S.clone(node.args[0]), ops=[gast.In()], comparators=[S.clone(func.value)]
                ), node)
                entry = gast.copy_location(
                    gast.IfExp(test=present, body=entry, orelse=node.args[1]), node)
            return self.expr(entry, target)
        if method_of_value and func.attr == "keys" and not node.args and not node.keywords:
            receiver = self.expr(func.value)  # a dict's keys: no derivative
            value = S.call(S.attribute(receiver, "keys"), [])
            return self.emit(target, value, "constant", node, key=DICT_KEYS)
        if method_of_value:
            receiver = self.expr(func.value)
            key = f"numpy.ndarray.{func.attr}"
            shown = f"method '.{func.attr}()'"
            callee = gast.Attribute(value=receiver, attr=func.attr, ctx=gast.Load())
            args = [self.argument(a) for a in node.args]
            keywords = {k.arg: self.argument(k.value) for k in node.keywords}
            value = S.call(callee, args, keywords)
            return self.emit(
                target, value, "rule", node, key=key, shown=shown,
                args=[receiver] + args, keywords=keywords,
            )
        if read_as_written(node, self.resolver, self.local_names):
            return self.emit(target, self.rename(node), "constant", node)  # see truth.py
        if isinstance(func, gast.Name) and func.id in self.local_names:
            raise unsupported(
                "call of a local variable", node, "call module-level functions by name",
            )
        qualname = self.resolver.qualname(func)
        shown = S.dotted_name(func) or "this call"
        if qualname is None and shown == "this call":  # `ACTS["tanh"](x)`, `fs[i](x)`
            what = gast.unparse(func).strip()
            raise unsupported(
                "call of a function taken from a container or computed", node,
                f"call the function by its name (np.tanh(x), relu(x)), not through {what}; "
                "to choose one by a setting, branch on it: `if act == 'tanh': y = np.tanh(x)`",
                message=f"{what} is a function picked when the code runs: which one, and so "
                "its derivative, is not known statically",
            )
        if qualname is None:
            starred = getattr(getattr(self.resolver, "module", None), "star_import", False)
            hint = (  # the names `from numpy import *` binds are not looked up statically
                f"import it by name (from numpy import {shown}): names a `*` import binds "
                "are not followed" if starred and isinstance(func, gast.Name)
                else "import it at the top of the module, or define it there"
            )
            raise DiffError("call", f"cannot tell what '{shown}' is", hint=hint).at(node)
        if qualname == "numpy.einsum" and node.args and not (
            isinstance(node.args[0], gast.Constant) and isinstance(node.args[0].value, str)
        ) and (  # the subscripts come first, as a string; else the interleaved form
            not isinstance(node.args[0], gast.Name)
            or any(isinstance(a, (gast.List, gast.Tuple)) for a in node.args[1:])
        ):
            raise unsupported(
                "einsum's interleaved form (operand, [axes], ...)", node,
                "write the subscripts as a string: np.einsum('ij,jk->ik', x, y)",
            )
        if qualname == "numpy.linspace" and _passed(node, "retstep", 4):
            raise unsupported(
                "np.linspace(..., retstep=True)", node,
                "compute the step from the ends: (stop - start) / (num - 1)",
            )
        if qualname == "builtins.dict" and not node.args and node.keywords and all(
            k.arg for k in node.keywords
        ):  # `dict(a=x)` is the literal `{"a": x}` (dict's rule takes a mapping only)
            keys = [S.constant(k.arg) for k in node.keywords]
            literal = gast.Dict(keys=keys, values=[k.value for k in node.keywords])
            return self.dict_literal(gast.copy_location(literal, node), target)
        if qualname == "builtins.reversed" and len(node.args) == 1 and not node.keywords and (
            target is None and not is_dict(node.args[0], self.function)
        ):  # `zip(reversed(Ws), ...)`, `list(reversed(hs))`: the items of the slice `Ws[::-1]`
            # (not `it = reversed(hs)`: an iterator, used up by the first loop over it)
            backwards = gast.Subscript(value=node.args[0], slice=gast.Slice(
                lower=None, upper=None, step=S.constant(-1)), ctx=gast.Load())
            return self.expr(gast.copy_location(backwards, node), target)
        args = [self.argument(a) for a in node.args]
        keywords = {k.arg: self.argument(k.value) for k in node.keywords}
        value = S.call(S.clone(func), args, keywords)
        if qualname == "builtins.list" and len(node.args) == 1 and not node.keywords and \
                is_dict(node.args[0], self.function):  # a dict's keys: no derivative
            return self.emit(target, value, "constant", node, key=DICT_KEYS)
        return self.emit(
            target, value, "rule", node, key=qualname, shown=f"'{shown}'",
            args=args, keywords=keywords,
        )

    def _is_global_chain(self, node: gast.AST) -> bool:
        path = S.dotted_name(node)
        return path is not None and path.split(".")[0] not in self.local_names

    def attribute_expr(self, node: gast.Attribute, target: str | None) -> gast.expr:
        if self._is_global_chain(node):
            return self.atom_or_copy(S.clone(node), target, node)  # np.pi, np.newaxis
        receiver = self.expr(node.value)
        value = gast.Attribute(value=receiver, attr=node.attr, ctx=gast.Load())
        key = f"numpy.ndarray.{node.attr}"
        return self.emit(
            target, value, "rule", node, key=key, shown=f"attribute '.{node.attr}'", args=[receiver],
        )

    def subscript(self, node: gast.Subscript, target: str | None) -> gast.expr:
        joined = self.index_trick(node)
        if joined is not None:
            return self.expr(joined, target)
        base = self.expr(node.value)
        if isinstance(base, (gast.Tuple, gast.List)):  # `(a, b)[1]`: name the literal,
            base = self.emit(None, base, "literal", node.value)  # whose adjoint reaches a, b
        index = self.index(node.slice)
        value = gast.Subscript(value=base, slice=index, ctx=gast.Load())
        if target is not None or base.__class__ is not gast.Name:
            return self.emit(target, value, "subscript", node)
        text = gast.dump(value)
        if text in self.reads:  # read before in this statement, nothing changed since
            return S.name(self.reads[text])
        name = self.emit(None, value, "subscript", node)
        self.reads[text] = name.id
        return name

    def index_trick(self, node: gast.Subscript) -> gast.expr | None:
        """``np.r_[x, 1.0]`` as ``np.concatenate([np.atleast_1d(x), np.atleast_1d(1.0)])``
        (what it computes); None for any other subscript. Read as an index of a module
        attribute, its values had no derivative: zero, silently (hunt 43). ``np.c_``, and
        ``np.r_`` with a slice or a directive, are refused."""
        value = node.value
        if value.__class__ is not gast.Attribute and value.__class__ is not gast.Name:
            return None
        qualname = self.resolver.qualname(value)
        if qualname not in ("numpy.r_", "numpy.c_"):
            return None
        shown = f"np.{qualname[6:]}[...]"
        items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if qualname == "numpy.c_":
            raise unsupported(shown, node, "np.column_stack((a, b)) joins columns")
        if any(isinstance(i, (gast.Slice, gast.Starred)) or (isinstance(i, gast.Constant) and (
            isinstance(i.value, str))) for i in items) or not isinstance(value, gast.Attribute):
            raise unsupported(shown + " with a slice, a directive, a * or by a bare name", node,
                              "write np.concatenate([...]) (np.arange for a range)")
        numpy = value.value
        parts = [gast.copy_location(S.call(S.attribute(S.clone(numpy), "atleast_1d"), [item]),
                                    item) for item in items]
        joined = S.call(S.attribute(S.clone(numpy), "concatenate"),
                        [gast.List(elts=parts, ctx=gast.Load())])
        return gast.copy_location(joined, node)

    def index(self, node: gast.expr) -> gast.expr:
        if isinstance(node, gast.Slice):
            parts = [None if p is None else self.bound(p) for p in (node.lower, node.upper, node.step)]
            return gast.Slice(lower=parts[0], upper=parts[1], step=parts[2])
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e) for e in node.elts], ctx=gast.Load())
        return self.expr(node)

    def bound(self, node: gast.expr) -> gast.expr:
        """A slice bound. Arithmetic of names and int constants (``e + 2`` in ``K[e:e + 2]``)
        stays in the slice, as written: a bound is an int, with no derivative, and the
        backward sweep computes it again from the names it restores anyway, where a
        temporary per bound was taped on every step."""
        if isinstance(node, gast.BinOp) and isinstance(node.op, _INT_OPERATORS):
            if _int_arithmetic(node):
                return gast.BinOp(left=self.bound(node.left), op=S.clone(node.op),
                                  right=self.bound(node.right))
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and _int_arithmetic(node):
            return gast.UnaryOp(op=gast.USub(), operand=self.bound(node.operand))
        return self.expr(node)


_INT_OPERATORS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv)
# NumPy functions that write into an argument (``out=`` is refused before)
_WRITERS = frozenset((
    "numpy.copyto", "numpy.put", "numpy.place", "numpy.putmask", "numpy.put_along_axis",
    "numpy.fill_diagonal", "numpy.ndarray.fill", "numpy.ndarray.sort", "numpy.ndarray.partition",
    "numpy.ndarray.put", "numpy.ndarray.itemset", "numpy.ndarray.resize", "numpy.random.shuffle",
))


def may_change_values(kind: str, key: str | None, value: gast.expr) -> bool:
    """Whether an operation may change an array an element was read from: a call of the
    user's function or of anything but NumPy's pure functions (a value bound to a name is
    a new binding, which the statement's reads do not see: walrus is refused)."""
    if kind in ("subscript", "copy", "literal"):
        return False
    if kind == "rule":
        return key is None or not key.startswith("numpy.") or key in _WRITERS or (
            key.endswith(".at")  # np.add.at, np.subtract.at: a ufunc's unbuffered write
        )
    return kind != "constant" or bool(S.nodes_of(value, gast.Call))


def _int_arithmetic(node: gast.expr) -> bool:
    """Names and int constants joined by ``+ - * //``, and negated."""
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, _INT_OPERATORS) and _int_arithmetic(node.left) and (
            _int_arithmetic(node.right)
        )
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub) and _int_arithmetic(node.operand)
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    return isinstance(node, gast.Name)


def _passed(call: gast.Call, flag: str, position: int) -> bool:
    """Whether ``call`` passes the flag (by name or at ``position``) as anything but False."""
    value = next((k.value for k in call.keywords if k.arg == flag), None)
    if value is None and len(call.args) > position:
        value = call.args[position]
    return value is not None and not (isinstance(value, gast.Constant) and value.value is False)
