"""LSP handlers: parse the params, call the server and the plain modules, shape the reply.

Every handler that may wait on a derivation is ``async``: the derivation runs
in a worker thread, and a ``$/cancelRequest`` cancels the handler at its
``await`` (and the derivation with it, when nobody else waits for it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tangent_lsp.engine import Derivative, DiffError

from . import hover as hover_text
from . import locate
from .app import (
    GRADIENT_REQUEST,
    INSERT_DERIVATIVE,
    REQUEST_FAILED,
    SHOW_GRADIENT,
    STALE_CODE,
    TangentServer,
    ask_client,
)
from .cache import Overrun
from .edits import existing_derivative
from .rule_hover import rule_markdown
from .snapshot import Request, Snapshot, elsewhere
from .stale import stale as stale_blocks
from .uris import GradientTarget, gradient_uri, parse_gradient_uri

log = logging.getLogger("tangent_lsp.server")

CODE_ACTION_KINDS = [types.CodeActionKind.RefactorRewrite, types.CodeActionKind.QuickFix]


def _safe(default: Any = None):
    """An unexpected error (an engine bug, say) is logged and answered with ``default``:
    one failing request must never take the editor's session down with it."""

    def decorate(handler):
        if asyncio.iscoroutinefunction(handler):
            @functools.wraps(handler)
            async def guarded(*args, **kwargs):
                try:
                    return await handler(*args, **kwargs)
                except Exception:
                    log.exception("%s failed", handler.__name__)
                    return default
        else:
            @functools.wraps(handler)
            def guarded(*args, **kwargs):
                try:
                    return handler(*args, **kwargs)
                except Exception:
                    log.exception("%s failed", handler.__name__)
                    return default
        return guarded

    return decorate


def register(server: TangentServer) -> None:
    """Attach every feature to ``server``."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: TangentServer, params: types.InitializeParams) -> None:
        ls.with_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    def initialized(ls: TangentServer, params: types.InitializedParams) -> None:
        ls.warm_up()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: TangentServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: TangentServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: TangentServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: TangentServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        for change in params.changes:
            ls.saved(change.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: TangentServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.closed(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: TangentServer, params: types.DidChangeConfigurationParams
    ) -> None:
        before = ls.settings
        raw = params.settings
        if not raw and ls.capability("workspace", "configuration"):
            try:
                items = await ask_client(ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="tangent")])
                ))
                raw = items[0] if items else None
            except Exception as error:
                log.info("workspace/configuration failed: %r", error)
        ls.with_settings(raw)
        if ls.settings != before:
            if ls.settings.code_lens != before.code_lens and ls.capability(
                "workspace", "code_lens", "refresh_support"
            ):
                ls.workspace_code_lens_refresh(None)
            for uri in list(ls.asked) + [t.source_uri for t, _ in ls.served.values()]:
                ls.schedule_refresh(uri, delay=0.0)

    # --- code actions ----------------------------------------------------------------

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=CODE_ACTION_KINDS, resolve_provider=True),
    )
    @_safe()
    async def code_action(
        ls: TangentServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        snap = ls.snapshot(params.text_document.uri)
        if snap is None or snap.parsed is None:
            return None
        only = [getattr(k, "value", k) for k in (params.context.only or [])]
        actions: list[types.CodeAction] = []
        if _wanted(only, types.CodeActionKind.QuickFix.value):
            actions += await _stale_fixes(ls, snap, params)
        if _wanted(only, types.CodeActionKind.RefactorRewrite.value):
            # The lightbulb asks on every cursor move: it only gets what is known already.
            automatic = params.context.trigger_kind == types.CodeActionTriggerKind.Automatic
            actions += await _generate_actions(ls, snap, snap.point(params.range.start),
                                               derive_now=not automatic)
        return actions or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: TangentServer, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        snap = ls.snapshot(uri) if isinstance(uri, str) else None
        req = _request_from(data)
        if snap is None or req is None:
            return action
        if data.get("version") is not None and snap.version is None:
            return action  # offered for an open buffer, closed since: no edit to the file
        block = data.get("block")  # the header line a quick fix regenerates, in its version
        at = block if type(block) is int and data.get("version") == snap.version else None
        try:
            action.edit = await ls.insertion_edit(snap, req, at)
            ls.schedule_refresh(snap.uri, delay=0.0)
        except LookupError as error:
            ls.show(f"tangent-lsp: {error}")
        except (DiffError, Overrun) as error:
            ls.show(ls.report_failure(snap, req, error))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            ls.show(ls.report_failure(snap, req, error), types.MessageType.Error)
        return action

    # --- commands and the custom request -----------------------------------------------

    @server.command(SHOW_GRADIENT)
    @_safe()
    async def show_gradient(ls: TangentServer, *args: Any) -> dict[str, Any] | None:
        try:
            found = _command_target(ls, args)
        except NoTarget as error:
            ls.show(f"tangent-lsp: {error}")
            return {"uri": None, "code": None, "error": str(error)}
        if found is None:
            return None
        snap, req = found
        try:
            payload = await ls.gradient(snap, req)
        except (DiffError, Overrun) as error:
            message = ls.report_failure(snap, req, error)
            ls.show(message)
            target = GradientTarget(snap.uri, req.function, req.mode, req.wrt)
            return {"uri": gradient_uri(target), "code": None, "error": message}
        if ls.supports_content() and ls.supports_show_document():
            try:
                await ask_client(ls.window_show_document_async(
                    types.ShowDocumentParams(uri=payload["uri"], take_focus=False)
                ))
            except Exception as error:
                log.info("window/showDocument failed: %r", error)
        return payload

    @server.command(INSERT_DERIVATIVE)
    @_safe()
    async def insert_derivative(ls: TangentServer, *args: Any) -> dict[str, Any] | None:
        try:
            found = _command_target(ls, args)
        except NoTarget as error:
            ls.show(f"tangent-lsp: {error}")
            return {"applied": False, "error": str(error)}
        if found is None:
            return None
        snap, req = found
        async with ls.insertion_lock(snap.uri):
            snap = ls.snapshot(snap.uri) or snap  # after the insertion before this one
            try:
                edit = await ls.insertion_edit(snap, req)
            except (DiffError, Overrun, LookupError) as error:
                message = (str(error) if isinstance(error, LookupError)
                           else ls.report_failure(snap, req, error))
                ls.show(message)
                return {"applied": False, "error": message}
            edited = ls.snapshot(snap.uri) or snap  # the text the edit was computed for
            try:
                result = await ask_client(ls.workspace_apply_edit_async(
                    types.ApplyWorkspaceEditParams(edit=edit, label=f"Insert derivative of {req.function}")
                ), timeout=60)
            except asyncio.TimeoutError:
                return {"applied": False, "error": "the client did not answer workspace/applyEdit"}
            applied = bool(getattr(result, "applied", False))
            if applied:
                await ls.edit_seen(edited)
        ls.schedule_refresh(snap.uri, delay=0.0)
        return {"applied": applied}

    @server.feature(GRADIENT_REQUEST)
    async def gradient_request(ls: TangentServer, params: Any) -> dict[str, Any]:
        args = _plain(params)
        try:
            found = _command_target(ls, (args,))
        except NoTarget as error:
            raise JsonRpcException(message=f"tangent/gradient: {error}",
                                   code=REQUEST_FAILED) from None
        if found is None:
            raise JsonRpcException(
                message="tangent/gradient: no such document or function", code=REQUEST_FAILED
            )
        snap, req = found
        try:
            return await ls.gradient(snap, req)
        except (DiffError, Overrun) as error:
            raise JsonRpcException(
                message=ls.report_failure(snap, req, error), code=REQUEST_FAILED,
                data={"construct": getattr(error, "construct", "timeout")},
            ) from None
        except Exception as error:  # an engine bug: logged here, a short answer there
            log.exception("tangent/gradient failed")
            raise JsonRpcException(
                message=f"tangent/gradient: internal error ({type(error).__name__}), see the "
                "server's log", code=REQUEST_FAILED,
            ) from None

    @server.feature(types.WORKSPACE_TEXT_DOCUMENT_CONTENT)
    @_safe()
    async def text_document_content(
        ls: TangentServer, params: types.TextDocumentContentParams
    ) -> types.TextDocumentContentResult:
        target = parse_gradient_uri(params.uri)
        if target is None:
            text = f"# tangent-lsp: not a gradient document: {params.uri}\n"
        else:
            text = await ls.gradient_text(target)
            ls.remember_served(params.uri, target, text)
        return types.TextDocumentContentResult(text=text)

    # --- hover -------------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_safe()
    async def hover(ls: TangentServer, params: types.HoverParams) -> types.Hover | None:
        snap = ls.snapshot(params.text_document.uri)
        # a function half-typed below does not take the finished ones' hovers away
        snap = snap.readable() if snap is not None else None
        if snap is None:
            return None
        point = snap.point(params.position)
        func = locate.function_at(snap.parsed, point)
        if func is None:
            replaced = locate.replaced_at(snap.parsed, point)
            if replaced is None or not locate.name_span(snap.parsed, replaced[0]).contains(point):
                nested = locate.nested_at(snap.parsed, point)
                if nested is None:
                    return None
                return types.Hover(contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=hover_text.nested(nested[0].name, nested[1])))
            return types.Hover(contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=hover_text.replaced(replaced[0].name, replaced[1].lineno)))
        found = await _hover_markdown(ls, snap, func, point)
        if found is None:
            return None
        markdown, span = found
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
            range=snap.span_range(span) if span is not None else None,
        )

    # --- code lens ---------------------------------------------------------------------

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    @_safe()
    def code_lens(ls: TangentServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
        if not ls.settings.code_lens:
            return None
        snap = ls.snapshot(params.text_document.uri)
        if snap is None or snap.parsed is None:
            return None
        blocks = [(g.start, g.end) for g in _generated(snap)]
        lenses = []
        for func in snap.parsed.functions:
            inserted = any(start <= func.lineno <= end for start, end in blocks)
            if inserted or not locate.uses_numpy(snap.parsed, func) or snap.parsed.redefined(func):
                continue  # a derivative, a callee's half inserted with it, or replaced
            where = snap.span_range(locate.name_span(snap.parsed, func))
            args = [snap.uri, func.name]
            lenses.append(types.CodeLens(range=where, command=types.Command(
                title="Show gradient", command=SHOW_GRADIENT, arguments=args)))
            lenses.append(types.CodeLens(range=where, command=types.Command(
                title="Insert derivative", command=INSERT_DERIVATIVE, arguments=args)))
        return lenses


# --- helpers (no pygls decorators) ------------------------------------------------------


def _wanted(only: list[str], kind: str) -> bool:
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def _generated(snap: Snapshot):
    from .stale import generated

    return generated(snap.parsed)


def _request_from(data: dict[str, Any]) -> Request | None:
    try:
        return Request(
            function=str(data["function"]),
            wrt=tuple(str(w) for w in data.get("wrt") or ()),
            mode=str(data.get("mode") or "reverse"),
            optimized=bool(data.get("optimized", True)),
        )
    except (KeyError, TypeError):
        return None


def _action_data(snap: Snapshot, req: Request) -> dict[str, Any]:
    return {"uri": snap.uri, "version": snap.version, **req.to_json()}


async def _outcome(ls: TangentServer, snap: Snapshot, req: Request, derive_now: bool):
    """The derivation's result or error; with ``derive_now=False`` only a cached one."""
    if not derive_now:
        return ls.cached_derivation(snap, req)
    try:
        return await ls.derivation(snap, req)
    except (DiffError, Overrun) as error:
        return error


async def _generate_actions(
    ls: TangentServer, snap: Snapshot, point: tuple[int, int], derive_now: bool = True
) -> list[types.CodeAction]:
    func = locate.function_at(snap.parsed, point)
    if func is None:
        return []
    params = locate.parameters(func)
    primary = ls.request(func)
    title = f"derivative of {func.name}"
    outcome = await _outcome(ls, snap, primary, derive_now)
    if isinstance(outcome, DiffError):
        if not ls.supports_disabled():
            return []
        return [types.CodeAction(
            title=f"Generate {title}", kind=types.CodeActionKind.RefactorRewrite,
            disabled=types.CodeActionDisabled(
                reason=f"Cannot differentiate '{func.name}': {outcome.text()}"),
        )]
    # an Overrun, or not derived yet: offer it; resolving it derives (or says it is too slow)
    variants: list[tuple[str, Request]] = [(title, primary)]
    for name in params:
        if (name,) != primary.wrt:
            variants.append((f"{title} w.r.t. {name}", ls.request(func, (name,), primary.mode)))
    if len(params) > 1:
        variants.append((f"{title} w.r.t. all arguments ({', '.join(params)})",
                         ls.request(func, tuple(params), primary.mode)))
    other = "forward" if primary.mode == "reverse" else "reverse"
    other_req = ls.request(func, primary.wrt, other)
    if isinstance(await _outcome(ls, snap, other_req, derive_now), Derivative):
        variants.append((f"{other}-mode {title}", other_req))  # only when that mode works
    actions = []
    for label, req in variants:
        existing = existing_derivative(snap.parsed, func, req.wrt, req.mode)
        verb = "Regenerate" if existing else "Generate"
        action = types.CodeAction(
            title=f"{verb} {label}", kind=types.CodeActionKind.RefactorRewrite,
            data=_action_data(snap, req), is_preferred=req is primary or None,
        )
        if not ls.supports_resolve():
            if not derive_now and not isinstance(ls.cached_derivation(snap, req), Derivative):
                continue  # an edit now would derive it: the lightbulb gets what is known
            try:
                action.edit = await ls.insertion_edit(snap, req)
            except (DiffError, Overrun, LookupError):
                continue
        actions.append(action)
    return actions


async def _stale_fixes(
    ls: TangentServer, snap: Snapshot, params: types.CodeActionParams
) -> list[types.CodeAction]:
    first, last = params.range.start.line + 1, params.range.end.line + 1
    fixes = []
    for item in stale_blocks(snap.parsed):
        block = item.block
        if last < block.start or first > block.end:
            continue
        header = block.header
        func = snap.parsed.function_named(header.function)
        if func is None:
            continue
        # a parameter renamed since: the derivative is regenerated for what is left (the
        # first parameter if nothing is), not offered for a name the function lacks
        kept = tuple(w for w in header.wrt or () if w in locate.parameters(func))
        req = ls.request(func, kept or None, header.mode)
        diagnostics = [
            d for d in params.context.diagnostics
            if d.code == STALE_CODE and d.range.start.line == block.start - 1
        ]
        default = ls.request(func)
        variant = "" if (req.wrt, req.mode) == (default.wrt, default.mode) else (
            f" w.r.t. {', '.join(req.wrt)}" + (f" ({req.mode} mode)" if req.mode != default.mode else "")
        )  # which of several derivatives of the function it regenerates
        action = types.CodeAction(
            title=f"Regenerate derivative of {header.function}{variant}",
            kind=types.CodeActionKind.QuickFix, diagnostics=diagnostics or None,
            is_preferred=True, data={**_action_data(snap, req), "block": block.start},
        )
        if not ls.supports_resolve():
            try:
                action.edit = await ls.insertion_edit(snap, req, block.start)
            except (DiffError, Overrun, LookupError):
                continue
        fixes.append(action)
    return fixes


def _plain(value: Any) -> Any:
    """pygls hands custom params over as namedtuples: back to dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class NoTarget(LookupError):
    """Well-formed arguments that name nothing to differentiate; the message says why."""


def _command_target(ls: TangentServer, args: tuple) -> tuple[Snapshot, Request] | None:
    """``[uri, function]``, ``[uri, function, [wrt...]]`` or ``[{textDocument/uri, function |
    position, wrt?, mode?}]`` → the document and the derivative asked for; None for
    malformed arguments, NoTarget when the user has something to be told."""
    args = tuple(_plain(a) for a in args)
    if not args:
        return None
    uri = function = None
    wrt: tuple[str, ...] | None = None
    mode = position = None
    if isinstance(args[0], dict):
        spec = args[0]
        document = spec.get("textDocument")
        uri = document.get("uri") if isinstance(document, dict) else spec.get("uri")
        function = spec.get("function")
        position = spec.get("position")
        wrt = spec.get("wrt")
        mode = spec.get("mode")
    else:
        uri = args[0]
        function = args[1] if len(args) > 1 else None
        wrt = args[2] if len(args) > 2 else None
        mode = args[3] if len(args) > 3 else None
    if not isinstance(uri, str):
        return None
    snap = ls.snapshot(uri)
    if snap is None:
        raise NoTarget(f"{uri} is not open")
    if snap.parsed is None:
        raise NoTarget("the module has a syntax error")
    func = None
    if isinstance(function, str):
        func = snap.parsed.function_named(function)
        if func is None:
            raise NoTarget(f"no top-level function '{function}'")
    elif isinstance(position, dict):
        line, character = position.get("line", 0), position.get("character", 0)
        if type(line) is not int or type(character) is not int:
            return None  # `{"line": "a"}`: not a position
        func = locate.function_at(snap.parsed, snap.index.from_lsp(line, character))
    if func is None:
        return None
    if isinstance(wrt, str):
        wrt = tuple(w.strip() for w in wrt.split(",") if w.strip())
    elif isinstance(wrt, list):
        wrt = tuple(str(w) for w in wrt)
    else:
        wrt = None
    if mode not in ("reverse", "forward"):
        mode = None
    return snap, ls.request(func, wrt, mode)


def _error_hover(snap: Snapshot, func, error: DiffError) -> str:
    other = elsewhere(snap, error)
    return hover_text.error(func.name, error.text(), error.line,
                            os.path.basename(other) if other else None)


async def _hover_markdown(ls: TangentServer, snap: Snapshot, func, point):
    """(markdown, span) for the hover at ``point`` inside ``func``, or None."""
    parsed = snap.parsed
    req = ls.request(func)
    if locate.on_function_name(parsed, point) is func:
        span = locate.name_span(parsed, func)
        try:
            derivative = await ls.derivation(snap, req)
        except DiffError as error:
            return _error_hover(snap, func, error), span
        except Overrun as error:
            return hover_text.overrun(func.name, error.budget_ms), span
        link = hover_text.command_link("Show gradient", "tangent.showGradient",
                                       [snap.uri, func.name])
        return hover_text.derivative(derivative.header, derivative.code,
                                     show_gradient=link), span
    target = locate.target_at(parsed, func, point)
    if target is not None:
        markdown = rule_markdown(target, ls.settings.mode, parsed, snap.path)
        if markdown is not None:
            return markdown, target.span
    stmt = locate.statement_at(parsed, func, point)
    if stmt is None:
        return None
    span = parsed.span(stmt)
    primal = locate.statement_text(parsed, stmt)
    try:
        derivative = await ls.derivation(snap, req)
    except DiffError as error:
        return _error_hover(snap, func, error), span
    except Overrun as error:
        return hover_text.overrun(func.name, error.budget_ms), span
    lines = locate.statement_lines(derivative, stmt)
    merged = False
    if not lines and req.optimized:  # the optimizer may have merged its part into another's
        try:
            unoptimized = await ls.derivation(snap, dataclasses.replace(req, optimized=False))
        except (DiffError, Overrun):
            unoptimized = None
        if unoptimized is not None:
            lines = locate.statement_lines(unoptimized, stmt)
            derivative, merged = (unoptimized, True) if lines else (derivative, False)
    if lines:
        return hover_text.statement(stmt.lineno, primal, derivative.code, lines, req.mode,
                                    merged=merged), span
    return hover_text.inactive_statement(stmt.lineno, primal, func.name, derivative.wrt), span
