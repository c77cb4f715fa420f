"""Hover and code-action latency of the language server, over a real stdio connection.

    .venv/bin/python -m benchmarks.lsp_latency [--functions 40] [--lines 1000] [--long 300]

Generates a module of about 1,000 lines of numeric functions, starts
``python -m tangent_lsp serve``, opens the module and measures, per request
kind, the latency seen by the client:

* **cold**: the first request about a function in this document version (the
  derivation is not cached: the engine runs);
* **warm**: the same request again (served from the cache).

A derivative is cached by the parts of the text it reads, so it survives typing in
another function: two rows hover each function right after an edit in the first one,
or after a line added at the top of the file (a new document version every time).

The very first request after start-up also loads the rule library; it is
reported on its own line. Prints a Markdown table of p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TEMPLATES = [
    # (body lines, returns a scalar loss of (W, b, X, y))
    [
        "h = np.tanh(X @ W + b)",
        "r = h - y",
        "return np.mean(r * r)",
    ],
    [
        "z = X @ W + b",
        "p = 1.0 / (1.0 + np.exp(-z))",
        "ll = y * np.log(p + 1e-9) + (1.0 - y) * np.log(1.0 - p + 1e-9)",
        "return -np.sum(ll) / X.shape[0]",
    ],
    [
        "a = np.sin(X @ W) * np.cos(b)",
        "s = np.sum(a * a, axis=1)",
        "t = np.sqrt(s + 1.0)",
        "return np.sum(t * y[:, 0])",
    ],
    [
        "h = np.maximum(X @ W + b, 0.0)",
        "e = np.exp(h - np.max(h, axis=1, keepdims=True))",
        "q = e / np.sum(e, axis=1, keepdims=True)",
        "return -np.sum(y * np.log(q + 1e-9))",
    ],
]


def generate_module(lines: int, long: int = 0) -> tuple[str, list[str]]:
    """About ``lines`` lines of numeric functions, then one of ``long`` statements
    (``synthetic``) if asked; returns the text and the names of the short ones."""
    out = ['"""Generated numeric functions for the latency benchmark."""', "",
           "import numpy as np", "", ""]
    names = []
    i = 0
    while len(out) < lines:
        body = TEMPLATES[i % len(TEMPLATES)]
        name = f"loss_{i}"
        names.append(name)
        out.append(f"def {name}(W, b, X, y):")
        out.extend(f"    {line}" for line in body)
        out.extend(["", ""])
        i += 1
    if long:
        from benchmarks.generation import synthetic_source
        out.append(synthetic_source(long).split("\n\n\n", 1)[1])
    return "\n".join(out) + "\n", names


def capabilities() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.RefactorRewrite,
                                   types.CodeActionKind.QuickFix])),
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
                disabled_support=True, data_support=True),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)),
    )


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


async def timed(awaitable) -> tuple[float, object]:
    start = time.perf_counter()
    result = await awaitable
    return (time.perf_counter() - start) * 1000.0, result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(functions: int, lines: int, long: int = 0) -> dict[str, dict[str, list[float]]]:
    text, names = generate_module(lines, long)
    names = names[:: max(1, len(names) // functions)][:functions]
    client = LanguageClient("tangent-lsp-benchmark", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: types.PublishDiagnosticsParams) -> None:
        pass  # not measured

    await client.start_io(sys.executable, "-m", "tangent_lsp", "serve")
    await client.initialize_async(types.InitializeParams(
        capabilities=capabilities(), initialization_options={"timeBudgetMs": 60000}))
    client.initialized(types.InitializedParams())
    uri = "file:///tmp/tangent-lsp-benchmark/generated.py"
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1,
                                             text=text)))
    document = types.TextDocumentIdentifier(uri=uri)
    results: dict[str, dict[str, list[float]]] = {}

    def record(kind: str, phase: str, ms: float) -> None:
        results.setdefault(kind, {}).setdefault(phase, []).append(ms)

    def hover(name: str, needle: str):
        start = text.index(f"def {name}(")
        segment = text[start:]
        position = position_of(text, f"def {name}(", 4) if needle == "name" else \
            position_of(text, needle, start + segment.index(needle) - text.index(needle))
        return client.text_document_hover_async(types.HoverParams(
            text_document=document, position=position))

    def code_action(name: str):
        position = position_of(text, f"def {name}(", 4)
        return client.text_document_code_action_async(types.CodeActionParams(
            text_document=document, range=types.Range(start=position, end=position),
            context=types.CodeActionContext(diagnostics=[])))

    # the first request after start-up: rule library loading included
    ms, _ = await timed(hover(names[0], "name"))
    results["first request after start"] = {"cold": [ms]}
    # half the functions are hovered on their name first, half on a statement first
    half = len(names) // 2
    for phase in ("cold", "warm"):
        for name in names[1:half]:
            ms, _ = await timed(hover(name, "name"))
            record("hover: function name (derivative)", phase, ms)
        for name in names[half:]:
            ms, _ = await timed(hover(name, "    "))
            record("hover: statement (Grad of block)", phase, ms)
        for name in names[1:]:
            ms, _ = await timed(hover(name, "np."))
            record("hover: call (rule text, no derivation)", phase, ms)
    # code actions on fresh functions: every function's text changes (a comment on its
    # `def` line), so nothing derived before is of use
    version = 2
    commented = text.replace("(W, b, X, y):", "(W, b, X, y):  # edited")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=commented)]))
    for phase in ("cold", "warm"):
        for name in names[1:]:
            ms, actions = await timed(code_action(name))
            record("codeAction: list", phase, ms)
            ms, resolved = await timed(client.code_action_resolve_async(actions[0]))
            assert resolved.edit is not None
            record("codeAction: resolve (edit)", phase, ms)
    # typing in the first function's first line (no line added: hover positions stay)
    # between hovers of the others
    line_end = commented.index("\n", commented.index("\n", commented.index(f"def {names[0]}(")) + 1)
    for count, name in enumerate(names[1:], start=1):
        version += 1
        edited = commented[:line_end] + f" + 0.0 * {count}" + commented[line_end:]
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        ms, _ = await timed(hover(name, "name"))
        record("hover: function name, after typing in another function", "cold", ms)
    # Enter at the top of the file between hovers: every line moves, nothing else changes
    # (the derivatives are moved, not derived again)
    moved = edited if len(names) > 1 else commented
    for name in names[1:]:
        version += 1
        moved = "\n" + moved
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=moved)]))
        ms, _ = await timed(client.text_document_hover_async(types.HoverParams(
            text_document=document, position=position_of(moved, f"def {name}(", 4))))
        record("hover: function name, after a line added at the top", "cold", ms)
    if long:
        kind = f"hover: a {long}-statement function, after typing in another function"
        for count in range(len(names)):
            version += 1
            edited = commented[:line_end] + f" + 1.0 * {count}" + commented[line_end:]
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
            ms, _ = await timed(hover("synthetic", "name"))
            record(kind, "warm" if count else "cold", ms)  # the first derives it
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def table(results: dict[str, dict[str, list[float]]], lines: int, functions: int) -> str:
    rows = [
        f"Module: {lines} lines of numeric functions; {functions} functions sampled; "
        f"Python {sys.version.split()[0]}; stdio.",
        "",
        "| request | cold p50 | cold p95 | warm p50 | warm p95 | n |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, phases in results.items():
        cells = []
        for phase in ("cold", "warm"):
            values = phases.get(phase)
            cells += ([f"{percentile(values, 0.5):.1f} ms", f"{percentile(values, 0.95):.1f} ms"]
                      if values else ["–", "–"])
        n = max(len(v) for v in phases.values())
        rows.append(f"| {kind} | " + " | ".join(cells) + f" | {n} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=40, help="functions to sample")
    parser.add_argument("--lines", type=int, default=1000, help="size of the generated module")
    parser.add_argument("--long", type=int, default=300,
                        help="statements of one long function added at the end (0: none)")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.functions, args.lines, args.long))
    print(table(results, args.lines, args.functions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
