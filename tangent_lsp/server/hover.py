"""Hover text (Markdown), from engine results. No LSP types here."""

from __future__ import annotations

import json
import textwrap
from urllib.parse import quote

MAX_LINES = 30  # longer derivatives are shortened in a hover


def fence(code: str, language: str = "python") -> str:
    """A fenced code block that survives backticks inside ``code``."""
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def command_link(title: str, command: str, arguments: list) -> str:
    """A Markdown link that runs a command (VS Code: needs a trusted hover)."""
    return f"[{title}](command:{command}?{quote(json.dumps(arguments, ensure_ascii=False))})"


def shorten(code: str, max_lines: int = MAX_LINES) -> tuple[str, int]:
    """The first lines of ``code`` and how many lines were left out."""
    lines = code.rstrip("\n").splitlines()
    if len(lines) <= max_lines:
        return "\n".join(lines), 0
    kept = lines[: max_lines - 1]
    left = len(lines) - len(kept)
    indent = "    " if len(kept) > 1 else ""
    kept.append(f"{indent}# ... {left} more lines")
    return "\n".join(kept), left


def derivative(header: str, code: str, *, show_gradient: str | None = None,
               max_lines: int = MAX_LINES) -> str:
    """Hover over a function's name: its derivative, shortened if long."""
    shown, left = shorten(code, max_lines)
    parts = [fence(header + "\n" + shown)]
    if show_gradient:
        note = f"{left} more lines: " if left else ""
        parts.append(note + show_gradient)
    return "\n\n".join(parts)


def statement(line: int, primal: str, code: str, lines: list[int],
              mode: str = "reverse", merged: bool = False) -> str:
    """Hover over a statement: the code generated for it (its ``# Grad of:`` block in
    reverse mode, its ``# Primal and tangent of:`` block in forward mode). ``merged``: the
    block is the unoptimized derivative's, as the optimizer merged it into other lines."""
    all_lines = code.splitlines()
    block = [all_lines[i - 1] for i in lines if 1 <= i <= len(all_lines)]
    text = textwrap.dedent("\n".join(block))
    shown, _ = shorten(text)
    what = "Adjoint" if mode == "reverse" else "Tangent"
    note = ("\n\nWithout optimization: the optimized derivative merged it into the lines "
            "of others." if merged else "")
    return f"{what} of line {line}: `{_inline(primal)}`\n\n" + fence(shown) + note


def inactive_statement(line: int, primal: str, function: str, wrt: tuple[str, ...]) -> str:
    return (
        f"Line {line} (`{_inline(primal)}`) adds nothing to the derivative of "
        f"`{function}` with respect to {_names(wrt)}."
    )


def rule(key: str, shown: str, result: str, params: list[str], body: str,
         vararg: str | None = None, mode: str = "reverse") -> str:
    """Hover over a call with a derivative rule: the rule, in ``d[x]`` notation."""
    args = list(params) + ([f"*{vararg}"] if vararg else [])
    call = f"{result} = {key}({', '.join(args)})"
    return (
        f"Derivative rule of `{_inline(shown)}` (`{key}`), {mode} mode:\n\n"
        + fence(f"# {call}\n{body}")
    )


def nondifferentiable(key: str, shown: str) -> str:
    return (
        f"`{_inline(shown)}` (`{key}`) has no derivative: its result is treated as a constant."
    )


def project_function(shown: str, module: str) -> str:
    return (f"`{_inline(shown)}` comes from `{_inline(module)}` in your project: it is "
            f"differentiated through, from its source.")


def container_method(shown: str) -> str:
    return (f"`{_inline(shown)}` on a list or dict: the derivative follows its elements "
            f"(a NumPy array has no such method).")


def no_rule(key: str | None, shown: str) -> str:
    if key is None:
        return (f"Cannot differentiate through `{_inline(shown)}`: its name cannot be resolved "
                f"statically (import it at the top of the module).")
    return f"Cannot differentiate through `{_inline(shown)}`: no derivative rule for `{key}`."


def user_function(shown: str) -> str:
    return f"`{_inline(shown)}` is defined in this module: it is differentiated through."


def error(function: str, message: str, line: int | None, file: str | None = None) -> str:
    """One line: why ``function`` cannot be differentiated (``file``: where, when that is
    a module it imports)."""
    where = f" (line {line})" if line else ""
    if file:
        where = f" ({file}, line {line})" if line else f" ({file})"
    return f"Cannot differentiate `{function}`{where}: {_one_line(message)}"


def replaced(function: str, later_line: int) -> str:
    """On the name of a ``def`` a later one of the same name replaces."""
    return (f"`{function}` is defined again on line {later_line}: the derivative is of that "
            "definition, which Python binds the name to.")


def nested(function: str, where: str) -> str:
    """On the name of a ``def`` that is not at the top level of the module."""
    if where.startswith("class "):
        inside, move = (f"a method of `{where[6:]}`",
                        "write it as a module-level function of the arrays it reads")
    elif where.startswith("function "):
        inside, move = f"defined inside `{where[9:]}`", "define it at the top level of the module"
    else:
        inside, move = (f"defined inside {where}",
                        "define it at the top level of the module (the block decides which "
                        "definition runs)")
    return (f"`{function}` is {inside}: tangent-lsp differentiates module-level functions; "
            f"{move}.")


def overrun(function: str, budget_ms: int) -> str:
    return (
        f"Differentiating `{function}` took longer than the time budget ({budget_ms} ms); "
        "raise `timeBudgetMs` in the tangent-lsp settings to wait longer."
    )


def _names(wrt: tuple[str, ...]) -> str:
    return ", ".join(f"`{w}`" for w in wrt)


def _inline(text: str) -> str:
    return _one_line(text).replace("`", "'")


def _one_line(text: str) -> str:
    return " ".join(text.split())
