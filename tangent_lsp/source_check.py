"""Whether the source text read for a live function is the code that runs.

``inspect`` reads a function's source from its file (through ``linecache``), which the
user may have edited since the module was imported: the derivative would then be of
the new text while the function runs the old code (a notebook whose module was edited
and not reloaded). Compiling the file's text again and comparing the function's code
with ``func.__code__`` tells them apart without running anything.
"""

from __future__ import annotations

import __future__
import functools
import linecache
import types

from .engine import DiffError

# the compiler flags a module's `from __future__ import ...` sets (its functions' code
# carries them), which its text compiled again must get too
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag


def check_source_runs(func: types.FunctionType, first_line: int) -> None:
    """Raise a DiffError when the def at ``first_line`` of ``func``'s file (as
    ``linecache`` holds it) compiles to other code than ``func`` runs. The whole file is compiled, as
    the import did: a function compiled alone differs (attributes of imported modules,
    a closure's variables). Not checked where the text is not a module's (a def inside a
    function or class) or cannot be compiled."""
    code = getattr(func, "__code__", None)
    if code is None or "." in getattr(func, "__qualname__", ".") or _rewritten(code):
        return
    path = code.co_filename
    module = _compiled("".join(linecache.getlines(path)), path, code.co_flags & _FUTURE_FLAGS)
    if module is None:
        return  # (the engine reports the text's own errors)
    candidates = [c for c in module.co_consts
                  if isinstance(c, types.CodeType) and c.co_name == code.co_name]
    if not candidates:
        return  # defined some other way (exec, a decorator's copy): nothing to compare
    compiled = next((c for c in candidates if c.co_firstlineno == first_line), None)
    if compiled is not None and _fingerprint(compiled) == _fingerprint(code):
        return  # (elsewhere in the file, the text read is not the function's: lines moved)
    raise DiffError(
        "function", f"the source of '{func.__name__}' in {path} is not the code that runs: "
        "the file changed after the function was defined",
        hint="reload the module (importlib.reload) or run the def again, so the function "
        "runs what the file says",
    )


@functools.lru_cache(maxsize=16)  # a file's functions are differentiated one after another
def _compiled(text: str, path: str, flags: int) -> types.CodeType | None:
    try:
        return compile(text, path, "exec", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError):
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
