"""Whether the source text read for a live function is the code that runs.

``inspect`` reads a function's source from its file (through ``linecache``), which the
user may have edited since the module was imported: the derivative would then be of
the new text while the function runs the old code (a notebook whose module was edited
and not reloaded). Compiling the text again and comparing the function's code with
``func.__code__`` tells them apart without running anything.

The text is compiled the two ways Python runs it: as a whole module (an import), and
statement by statement (IPython and Jupyter run each top-level statement of a cell on
its own). They differ: a module's own imports make ``np.sum`` an attribute load, not a
method call.
"""

from __future__ import annotations

import __future__
import ast
import functools
import linecache
import types

from .errors import DiffError

# the compiler flags a module's `from __future__ import ...` sets (its functions' code
# carries them), which its text compiled again must get too
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def check_source_runs(func: types.FunctionType, first_line: int) -> None:
    """Raise a DiffError when the def at ``first_line`` of ``func``'s file (as
    ``linecache`` holds it) compiles to other code than ``func`` runs (code an import
    hook rewrote, such as pytest's asserts, is not compared)."""
    code = getattr(func, "__code__", None)
    if code is None or _rewritten(code):
        return
    path = code.co_filename
    text = "".join(linecache.getlines(path))
    flags = code.co_flags & _FUTURE_FLAGS
    wanted = _fingerprint(code)
    ways = (lambda: _compiled(text, path, flags),  # the second only if the first differs
            lambda: _statement_at(text, path, flags, first_line))
    for way in ways:
        compiled = way()
        if compiled is None:
            continue
        found = _code_named(compiled, code.co_qualname, first_line)
        if found is not None and _fingerprint(found) == wanted:
            return
    if _compiled(text, path, flags) is None:
        return  # (the engine reports the text's own errors)
    raise DiffError(
        "function", f"the source of '{func.__name__}' in {path} is not the code that runs: "
        "the file changed after the function was defined",
        hint="reload the module (importlib.reload) or run the def again, so the function "
        "runs what the file says",
    )


def _code_named(code: types.CodeType, qualname: str, line: int) -> types.CodeType | None:
    """The code object of the def ``qualname`` at ``line``, at any depth (a method, a
    function a factory makes)."""
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            if constant.co_qualname == qualname and constant.co_firstlineno == line:
                return constant
            found = _code_named(constant, qualname, line)
            if found is not None:
                return found
    return None


@functools.lru_cache(maxsize=16)  # a file's functions are differentiated one after another
def _compiled(text: str, path: str, flags: int) -> types.CodeType | None:
    try:
        return compile(text, path, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=16)
def _statement_at(text: str, path: str, flags: int, line: int) -> types.CodeType | None:
    """The top-level statement spanning ``line`` (its decorators too), compiled alone."""
    try:
        tree = ast.parse(text, path)
    except (SyntaxError, ValueError):
        return None
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        if first <= line <= (stmt.end_lineno or stmt.lineno):
            alone = ast.Module(body=[stmt], type_ignores=[])
            return compile(alone, path, "exec", flags=flags, dont_inherit=True)
    return None


def _rewritten(code: types.CodeType) -> bool:
    """Whether an import hook rewrote the code (pytest's asserts: names like ``@py_assert1``,
    which no source spells): compiling the file again would not give it."""
    return any(not name.isidentifier() for name in code.co_names + code.co_varnames) or any(
        isinstance(c, types.CodeType) and _rewritten(c) for c in code.co_consts
    )


def _fingerprint(code: types.CodeType) -> tuple:
    """What the code does, line numbers aside: its instructions, names and constants (a
    nested function's by its own fingerprint)."""
    constants = tuple(
        _fingerprint(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c))
        for c in code.co_consts
    )
    return code.co_code, code.co_names, code.co_varnames, constants
