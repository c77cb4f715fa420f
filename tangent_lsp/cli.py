"""Command line: ``tangent-lsp grad FILE::FUNC`` and ``tangent-lsp serve``.

The engine and the server are imported inside the commands, so ``--help``
and ``--version`` stay fast. ``grad`` reads FILE as text and never imports
or runs it.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import tokenize
import unicodedata
from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1  # tangent-lsp itself could not do the job
EXIT_USAGE = 2  # bad input: missing file or function, not differentiable


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tangent-lsp")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"tangent-lsp: {message}", file=sys.stderr)
    return code


def _split_target(target: str) -> tuple[str, str] | None:
    file, sep, func = target.rpartition("::")
    if not sep or not file or not func:
        return None
    return file, func


def _top_level_functions(tree: ast.Module) -> list[str]:
    return [
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def _cmd_grad(args: argparse.Namespace) -> int:
    target = _split_target(args.target)
    if target is None:
        return _fail(
            f"expected FILE::FUNC, got {args.target!r} (e.g. examples/mlp.py::loss)"
        )
    file, func = target
    path = Path(file)
    if path.is_dir():
        return _fail(f"{file}: a directory, not a Python file")
    if not path.exists():  # (a device or a pipe, /dev/stdin, is read as a file)
        return _fail(f"{file}: no such file")
    try:
        with tokenize.open(path) as handle:  # as Python reads it: a BOM, a coding line
            source = handle.read()
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        return _fail(f"{file}: cannot read: {exc}")

    # A quick static look before handing over to the engine, for clear messages.
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as exc:
        print(f"{file}:{exc.lineno or 1}:{exc.offset or 1}: syntax error: {exc.msg}",
              file=sys.stderr)
        return EXIT_USAGE
    except (RecursionError, MemoryError):  # what Python's own compiler gives up on too
        print(f"{file}:1:1: syntax error: too deeply nested for Python's parser "
              "(split long expressions into several statements)", file=sys.stderr)
        return EXIT_USAGE
    functions = list(dict.fromkeys(_top_level_functions(tree)))  # a name defined twice: once
    func = unicodedata.normalize("NFKC", func)  # as Python reads identifiers (`ﬁt` is `fit`)
    if "." not in func and func not in functions:
        nested = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and n.name == func), None)
        if nested is not None:  # under an `if`, inside a class or another function
            print(f"{file}:{nested.lineno}:{nested.col_offset + 1}: {func!r} is not defined at "
                  "the top level of the module: only top-level functions are differentiated "
                  "(hint: move it out of its block; for a method, differentiate a function "
                  "that takes the instance)", file=sys.stderr)
            return EXIT_USAGE
        known = ", ".join(functions) if functions else "none"
        return _fail(f"{file}: no top-level function named {func!r} (functions: {known})")

    wrt = None
    if args.wrt is not None:  # names or positions, comma-separated, the option repeatable
        items = [name.strip() for value in args.wrt for name in value.split(",") if name.strip()]
        wrt = tuple(int(item) if item.isdigit() else unicodedata.normalize("NFKC", item)
                    for item in items)
        if not wrt:
            return _fail("--wrt needs at least one argument name")

    from tangent_lsp.engine import derive
    from tangent_lsp.engine.errors import DiffError

    try:
        derivative = derive(
            source,
            func,
            path=file,
            mode=args.mode,
            wrt=wrt,
            optimized=not args.no_optimize,
            preserve_result=args.preserve_result,
        )
    except DiffError as err:
        print(err.format(), file=sys.stderr)
        return EXIT_USAGE

    imports = list(derivative.imports)
    text = ("\n".join(imports) + "\n\n" if imports else "") + derivative.code.rstrip("\n")
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader stopped, which is no error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError) as exc:  # a full disk, a closed stdout
        reason = "standard output is closed" if sys.stdout is None else exc
        return _fail(f"cannot write the derivative: {reason}", EXIT_FAILURE)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    import importlib
    import os

    # `python -m` puts the working directory first on sys.path: a `numpy.py` there would
    # run inside the server when a module is first imported. The server never runs the
    # user's code, so it never imports from there (the editor starts it elsewhere, too).
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != here]
    try:
        server = importlib.import_module("tangent_lsp.server")
    except ModuleNotFoundError as exc:
        if exc.name not in ("tangent_lsp.server",):
            raise
        return _fail("the language server is not built yet", EXIT_FAILURE)
    try:
        result = server.main(tcp=args.tcp, host=args.host, port=args.port)
    except (OSError, OverflowError) as exc:  # a port in use or out of range, a bad host
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc}", EXIT_FAILURE)
    return result if isinstance(result, int) else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tangent-lsp",
        description="Source-to-source automatic differentiation for Python/NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    grad = commands.add_parser(
        "grad",
        help="print the derivative of a function in a file",
        description="Print the source of the derivative of FUNC in FILE. "
        "FILE is read as text, never imported or run.",
    )
    grad.add_argument("target", metavar="FILE::FUNC", help="e.g. examples/mlp.py::loss")
    grad.add_argument(
        "--wrt",
        metavar="A,B",
        action="append",
        help="comma-separated argument names (or positions, 0 first) to differentiate "
        "with respect to; may be repeated (default: the first argument)",
    )
    grad.add_argument("--mode", choices=("reverse", "forward"), default="reverse")
    grad.add_argument(
        "--no-optimize", action="store_true", help="skip the clean-up passes on the output"
    )
    grad.add_argument(
        "--preserve-result",
        action="store_true",
        help="the derivative also returns the function's value",
    )
    grad.set_defaults(handler=_cmd_grad)

    serve = commands.add_parser(
        "serve",
        help="run the language server (stdio by default)",
        description="Run the tangent-lsp language server over stdio, or TCP with --tcp.",
    )
    serve.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2087)
    serve.set_defaults(handler=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
