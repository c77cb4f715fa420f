"""What the aliasing check says when a name is read after another name for its array
changed it in place: which names share the array (a view, a second name, a row, a
container), the lines that made and changed them, and the rewrite that gives each its
own value (``.copy()``, ``r = r + v``)."""

from __future__ import annotations

import ast
import io
import tokenize
from typing import TYPE_CHECKING

import gast

from .errors import DiffError
from .ir import Op

if TYPE_CHECKING:
    from .aliasing_state import State


def stale_read(name: str, written: str, write: Op, state: State) -> DiffError:
    """The error for reading ``name`` after ``write`` changed ``written`` in place."""
    shown, code = state.shown, state.code
    if written == name:  # a call of the user's function wrote into it
        return DiffError(
            "write through a view",
            f"'{shown(name)}' is read after a call changed it in place ({code(write)}): "
            "the function writes into its argument, the derivative would not see it",
            hint=f"pass a copy ({shown(name)}.copy()), or return a new array from the function",
        )
    shared = _shared_through(name, written, write, state)
    if shared is not None:
        message, hint = shared
    else:
        message, hint = _view_or_second_name(name, written, write, state)
    return DiffError(
        "write through a view",
        message + ": both names see the change, the derivative would not",
        hint=hint,
    )


def row_changed(
    name: str, written: str, write: Op, made: Op, state: State, holder: str | None = None
) -> str:
    """What the derivative says when ``name = written[i]``, read after ``write`` changed
    ``written`` in place (directly, or in the container ``holder``), turns out to be a row
    (a view), not an element (a number)."""
    shown, code = state.shown, state.code
    if holder is not None:
        filled = state.filled.get(holder, made)
        return (
            f"'{shown(holder)}' holds a row of '{shown(written)}' ({code(filled)}), a view, "
            f"read after '{shown(written)}' was changed in place ({code(write)}): both see "
            f"the change, the derivative would not (hint: put a copy in it: "
            f"{_copied_in(code(filled))})"
        )
    return (
        f"'{shown(name)}' is a row of '{shown(written)}' ({code(made)}), a view, read after "
        f"'{shown(written)}' was changed in place ({code(write)}): both names see the change, "
        f"the derivative would not (hint: take a copy where the row is read: "
        f"{_copied(code(made), shown(name))})"
    )


def read_by_the_derivative(name: str, written: str, write: Op, state: State) -> DiffError:
    """The error for a name changed through another one that the user's code does not
    read again but the derivative does (``E = np.exp(z); P = E[0]; P[1] *= 2.0``: the
    adjoint of ``np.exp`` reads ``E``)."""
    error = stale_read(name, written, write, state)
    if name not in state.written_names and written in state.base:  # a value the engine named
        made = state.base[written][1]
        return DiffError(
            "write through a view",
            f"'{state.shown(written)}' is a view of a value the derivative reads "
            f"({state.code(made)}), changed in place ({state.code(write)}): the derivative "
            "would read the changed value",
            hint=error.hint,
        )
    said = error.message.rpartition(": both names see the change")[0] or error.message
    if said.startswith(f"'{state.shown(name)}' is read after "):
        said = said[len(f"'{state.shown(name)}' is read after "):]
        said = f"'{state.shown(name)}' changed when {said}"
    return DiffError(
        "write through a view",
        f"{said}: the derivative reads '{state.shown(name)}' as it was before",
        hint=error.hint,
    )


def _view_or_second_name(name: str, written: str, write: Op, state: State) -> tuple:
    shown, code = state.shown, state.code
    second = name if name in state.base else written  # the view, or the second name
    root, made = state.base.get(second, (written, write))
    alias = made.kind == "copy"
    # `h = hs[:]`, `h = hs.copy()` of a list: a new list holding the same arrays
    shallow = (root in state.holds or root in state.keyed) and _copies_a_container(made)
    if second == name:
        what = "another name for" if alias else (
            "a copy holding the same arrays as" if shallow else "a view of")
        message = (
            f"'{shown(name)}' is {what} '{shown(root)}' ({code(made)}), read after "
            f"'{shown(written)}' was changed in place ({code(write)})"
        )
    else:
        what = "another name for it" if alias else (
            "a copy of it holding the same arrays" if shallow else "a view of it")
        if shallow and written not in state.written_names:  # `hs[:].copy()`: named by the engine
            message = (
                f"'{shown(name)}' is read after an array it holds was changed in place "
                f"({code(write)}) through a copy of it ({code(made)}) holding the same arrays"
            )
            return message, f"copy what it holds where it is made: {_copied_elements(code(made), root in state.keyed)}"
        message = (
            f"'{shown(name)}' is read after '{shown(written)}', {what} ({code(made)}), "
            f"was changed in place ({code(write)})"
        )
    if shallow:
        hint = f"copy what it holds where it is made: {_copied_elements(code(made), root in state.keyed)}"
    else:
        hint = f"take a copy where the second name is made: {_copied(code(made), shown(second))}"
    if second == written and getattr(write.node, "in_place", False):
        hint = (f"write {_rebound(code(write))} for a new array, or write into "
                f"'{shown(root)}' by index to change it")
        if state.code(made).startswith("for "):  # `for r in H: r /= ...`: H was meant
            hint = (f"write into '{shown(root)}' by index to change it, or write "
                    f"{_rebound(code(write))} for a new array")
    return message, hint


def _shared_through(name: str, written: str, write: Op, state: State) -> tuple | None:
    """The message and hint for a name that shares an array as a row or through a
    container (``r = Y[0]``, ``xs = [h]``); None for a view or a second name."""
    shown, code = state.shown, state.code
    changed = f"was changed in place ({code(write)})"
    if written in state.holds and any(  # `vals = list(params.values())`: params's arrays
        state.rows.get(h, (None, None))[0] == name for h in state.holds[written]
    ):
        made = state.filled.get(written, write)
        return (
            f"'{shown(written)}' holds the arrays of '{shown(name)}' ({code(made)}): "
            f"'{shown(name)}' is read after one of them was changed in place ({code(write)})",
            f"write {_rebound(code(write))} for a new array",
        )
    if name in state.base or state.base.get(written, (written, None))[0] == name:
        return None  # a view or a second name: said as such
    if name in state.rows:
        root, made = state.rows[name]
        if name not in state.written_names:  # a value the engine named: `y[0]` inside a line
            row = gast.unparse(made.value)
            return (
                f"'{row}' is a row of '{shown(root)}' ({code(made)}), read after "
                f"'{shown(written)}' {changed}",
                f"read a copy ({row}.copy()) before the change",
            )
        return (
            f"'{shown(name)}' is a row of '{shown(root)}' ({code(made)}), read after "
            f"'{shown(written)}' {changed}",
            f"take a copy where the row is read: {_copied(code(made), shown(name))}",
        )
    if written in state.holds and name in state.holds[written]:  # `xs[0] += v`, `xs = [h]`
        made = state.filled.get(written, write)
        if name in state.holds or name in state.keyed:  # a shallow copy: `new = params.copy()`
            return (
                f"'{shown(written)}' holds the same arrays as '{shown(name)}' ({code(made)}): "
                f"'{shown(name)}' is read after one of them {changed}",
                f"write {_rebound(code(write))} for a new array",
            )
        return (
            f"'{shown(name)}' is held by '{shown(written)}' ({code(made)}), read after it "
            f"{changed}",
            f"write {_rebound(code(write))} for a new array",
        )
    if name in state.holds:  # `xs.append(h)`, then `h[0] = ...`
        made = state.filled.get(name, write)
        return (
            f"'{shown(name)}' holds an array that '{shown(written)}' shares ({code(made)}), "
            f"read after '{shown(written)}' {changed}",
            f"put a copy in: {_copied_in(code(made))}",
        )
    return None


def without_comment(line: str) -> str:
    """A quoted line without its trailing comment."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):  # `for r in y:` has no body: quoted whole
        pass
    return line


def _rebound(line: str) -> str:
    """``r *= 2.0`` → ``r = r * 2.0``."""
    target, _, value = line.partition("= ")
    name, _, operator = target.rstrip().rpartition(" ")
    if not (name and operator):
        return line
    try:
        tree = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        return line
    if (isinstance(tree, ast.BinOp) and not isinstance(tree.op, ast.Pow)) or isinstance(
        tree, (ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda, ast.NamedExpr)
    ):
        value = f"({value.strip()})"  # `r *= a + b` is `r = r * (a + b)`
    return f"{name} = {name} {operator} {value}"


def _copied_in(line: str) -> str:
    """``xs.append(h)`` → ``xs.append(h.copy())``, ``rs = list(Y)`` → ``rs = list(Y.copy())``:
    a container given copies of what it holds."""
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return f"{line} (with .copy())"
    statement = tree.body[0] if tree.body else None
    call = getattr(statement, "value", None)
    if not isinstance(call, (ast.Call, ast.List, ast.Tuple)):
        return f"{line} (with .copy())"

    def copied(node: ast.expr) -> ast.expr:
        if isinstance(node, (ast.Name, ast.Subscript, ast.Attribute)):
            return ast.Call(ast.Attribute(node, "copy", ast.Load()), [], [])
        if isinstance(node, (ast.List, ast.Tuple)):  # `[[Y[0]], [Y[1]]]`: the inner lists' too
            node.elts = [copied(e) for e in node.elts]
        return node

    if isinstance(call, ast.Call):
        call.args = [copied(a) for a in call.args]
    else:
        call.elts = [copied(e) for e in call.elts]
    return ast.unparse(statement)


def _copies_a_container(made: Op) -> bool:
    """``hs[:]`` or ``hs.copy()``: a new container (not ``d["h"]``, the entry itself)."""
    if made.kind == "subscript":
        index = made.value.slice
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        return any(isinstance(p, gast.Slice) for p in parts)
    return made.kind == "rule" and made.key in ("numpy.ndarray.copy", "builtins.dict", "copy.copy")


def _copied_elements(line: str, keyed: bool) -> str:
    """``h = hs[:]`` → ``h = [a.copy() for a in hs[:]]``; a dict's values the same way."""
    target, sep, value = line.partition(" = ")
    if not (sep and value):
        return f"{line} (with each element copied)"
    if keyed:
        return f"{target} = {{k: v.copy() for k, v in {value.strip()}.items()}}"
    return f"{target} = [a.copy() for a in {value.strip()}]"


def _copied(line: str, name: str) -> str:
    """``col = B[:, 0]`` → ``col = B[:, 0].copy()``; ``a, b = pair(x)`` → ``a, b = pair(x);
    b = b.copy()`` (the value unpacked may be a tuple, which has no ``.copy()``)."""
    target, sep, value = line.partition(" = ")
    if not (sep and value):
        return f"{line} (with .copy())"
    try:
        unpacks = isinstance(ast.parse(f"{target} = 0").body[0].targets[0], (ast.Tuple, ast.List))
    except (SyntaxError, AttributeError, IndexError):
        unpacks = False
    if unpacks:
        return f"{line}; {name} = {name}.copy()"
    try:
        tree = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        return f"{line} (with .copy())"
    if not isinstance(tree, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)):
        value = f"({value.strip()})"  # `x * 2.copy()` would copy the 2
    return f"{target} = {value}.copy()"
