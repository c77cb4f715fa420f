"""The language server object: pygls wiring, per-document state, engine calls.

Handlers (``handlers.py``) stay thin: they turn LSP params into calls on
:class:`TangentServer`, which turns documents into engine requests and engine
results into LSP values. The domain logic lives in the plain modules
(``locate``, ``edits``, ``stale``, ``hover``, ``cache``, ``settings``, ``snapshot``).
"""

from __future__ import annotations

import ast
import asyncio
import gc
import logging
import os
import threading
from collections import OrderedDict
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from tangent_lsp.engine import Derivative, DiffError, derive
from tangent_lsp.engine.templates import library

from . import edits as edits_mod
from . import dependencies, locate, settings as settings_mod, stale as stale_mod
from .cache import DerivationCache, Overrun
from .placement import Placed
from .positions import byte_to_cp
from .protocol import TangentProtocol
from .snapshot import Request, Snapshot, elsewhere, where
from .uris import GradientTarget, document_key, gradient_uri, same_file_key, to_path

log = logging.getLogger("tangent_lsp.server")

SOURCE = "tangent-lsp"
STALE_CODE = "stale-derivative"
SHOW_GRADIENT = "tangent.showGradient"
INSERT_DERIVATIVE = "tangent.insertDerivative"
GRADIENT_REQUEST = "tangent/gradient"
REQUEST_FAILED = -32803  # LSP's RequestFailed: "cannot differentiate", "took too long"
MAX_FILE_BYTES = 5_000_000
REFRESH_DELAY = 0.3  # seconds of quiet typing before diagnostics are recomputed
MAX_SERVED = 64
_EDIT_ATTEMPTS = 3  # derivations of an edit restarted by changes before it gives up


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("tangent-lsp")
    except Exception:  # not installed: running from a checkout
        return "0.0.0"


def is_expected_failure(error: BaseException | None) -> bool:
    """A request that failed for a reason the user is told about (not a server bug)."""
    return isinstance(error, JsonRpcException) and error.code == REQUEST_FAILED


class QuietExpectedFailures(logging.Filter):
    """pygls logs a traceback for every error response; ours are normal answers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and is_expected_failure(record.exc_info[1]))


async def ask_client(request: Any, timeout: float = 10.0) -> Any:
    """Wait for a server→client request without ever cancelling it.

    Cancelling the future pygls hands out makes pygls fail on the client's late
    answer ("Unable to handle message"), so waits are shielded: a timeout or a
    cancelled handler stops waiting, the request itself completes normally.
    """
    return await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(request)), timeout)


def _derive(parsed: locate.Parsed | None, text: str, req: Request, path: str | None,
            spans: dependencies.Spans) -> Placed:
    """Runs in a worker thread: the engine on the text, earlier derivatives blanked out.
    Its DiffError is a result like a derivative (both are kept where they were derived)."""
    source = (edits_mod.derivation_source(parsed, req.function, req.wrt, req.mode)
              if parsed is not None else text)
    try:
        return Placed(spans, derive(source, req.function, path=path, mode=req.mode,
                                    wrt=req.wrt or None, optimized=req.optimized))
    except DiffError as error:
        return Placed(spans, error)


def _changed_on_disk(result: object) -> bool:
    """Whether a project file the derivation (or its error) read has changed since: an
    editor may not say so (a file reloaded after a checkout, one that is not open)."""
    for path, mtime in getattr(result, "files_read", {}).items():
        try:
            if os.path.getmtime(path) != mtime:
                return True
        except OSError:
            if mtime is not None:
                return True
    return False


def derivation_reads(snap: Snapshot, req: Request) -> tuple[tuple, dependencies.Spans]:
    """What a derivative is cached by: the parts of the text it reads (typing in another
    function keeps it), or the whole text when that does not parse; and where those parts
    are (a line typed above them moves the cached derivative, see ``placement.py``)."""
    parsed = snap.parsed
    if parsed is None:
        return (snap.uri, snap.key, req), ()
    memo = ("fingerprint", req.function, req.wrt, req.mode)
    if memo not in parsed.memo:
        blanked = edits_mod.blanked_lines(parsed, req.function, req.wrt, req.mode)
        parsed.memo[memo] = dependencies.fingerprint(parsed, req.function, blanked)
    reads = parsed.memo[memo]
    return (snap.uri, reads.key, req), reads.spans


class TangentServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tangent-lsp", _version(), protocol_cls=TangentProtocol, max_workers=4)
        self.settings = settings_mod.Settings()
        self.cache = DerivationCache(workers=2)
        self.asked: dict[str, dict[str, Request]] = {}
        self.served: OrderedDict[str, tuple[GradientTarget, str]] = OrderedDict()
        self._snapshots: dict[str, Snapshot] = {}
        self._refresh: dict[str, asyncio.Task] = {}
        self._inserting: dict[str, asyncio.Lock] = {}

    def insertion_lock(self, uri: str) -> asyncio.Lock:
        """One insertion at a time per document: a second one (a double click) computes its
        edit on the text the first one's edit made, not on the text both started from (a
        client that applies edits without versions would insert both, one inside the
        function)."""
        return self._inserting.setdefault(self.canonical(uri), asyncio.Lock())

    async def edit_seen(self, snap: Snapshot, timeout: float = 2.0) -> None:
        """Wait (briefly) until the client's change notification for an edit it applied
        to ``snap`` arrived: a client may answer workspace/applyEdit before sending it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            current = self.snapshot(snap.uri)
            if current is None or (current.version, current.text) != (snap.version, snap.text):
                return
            await asyncio.sleep(0.01)

    def report_server_error(self, error: Exception, source: Any) -> None:
        if not is_expected_failure(error):
            super().report_server_error(error, source)

    # --- client capabilities -------------------------------------------------------

    def capability(self, *path: str) -> Any:
        value: Any = getattr(self.protocol, "client_capabilities", None)
        for name in path:
            if value is None:
                return None
            value = getattr(value, name, None)
        return value

    @property
    def encoding(self) -> str:
        try:
            encoding = self.workspace.position_encoding
        except RuntimeError:
            encoding = None
        encoding = getattr(encoding, "value", encoding)
        return str(encoding) if encoding else "utf-16"

    def supports_resolve(self) -> bool:
        props = self.capability("text_document", "code_action", "resolve_support", "properties")
        return bool(props) and "edit" in props

    def supports_disabled(self) -> bool:
        return bool(self.capability("text_document", "code_action", "disabled_support"))

    def supports_document_changes(self) -> bool:
        return bool(self.capability("workspace", "workspace_edit", "document_changes"))

    def supports_content(self) -> bool:
        return self.capability("workspace", "text_document_content") is not None

    def supports_show_document(self) -> bool:
        return bool(self.capability("window", "show_document", "support"))

    # --- documents -----------------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        """The client's open document ``uri`` names (however it is percent-encoded, or
        spelled: ``file:/p``, ``file://localhost/p``, ``FILE:///p``, ``/a/../p``), or None."""
        doc = self.workspace.text_documents.get(document_key(uri))
        if doc is not None:
            return doc
        path = same_file_key(uri)
        if path is None:
            return None
        for candidate in list(self.workspace.text_documents.values()):
            if same_file_key(candidate.uri) == path:
                return candidate
        return None

    def canonical(self, uri: str) -> str:
        """``uri`` as the client spells its open document (``my%20model.py``, ``c%3A``): the
        one spelling the server's state is keyed by and diagnostics are published for."""
        doc = self.open_document(uri)
        return doc.uri if doc is not None else uri

    def snapshot(self, uri: str) -> Snapshot | None:
        """The document's current text: the client's (unsaved) copy, else the file on disk."""
        uri = self.canonical(uri)
        doc = self.open_document(uri)
        if doc is not None:
            cached = self._snapshots.get(uri)
            if (
                cached is not None and cached.version == doc.version
                and cached.version is not None and cached.text == doc.source
            ):  # the text too: a client may reuse a version number
                return cached
            snap = Snapshot(uri, doc.version, doc.source, to_path(uri), self.encoding)
            self._snapshots[uri] = snap
            return snap
        path = to_path(uri)
        if path is None or not os.path.isfile(path):
            return None
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                return None
            with open(path, encoding="utf-8-sig", errors="replace") as handle:  # BOM too
                text = handle.read()
        except OSError:
            return None
        return Snapshot(uri, None, text, path, self.encoding)

    def opened(self, uri: str) -> None:
        uri = self.canonical(uri)
        self._forget(uri)
        self.schedule_refresh(uri, delay=0.0)

    def changed(self, uri: str) -> None:
        uri = self.canonical(uri)
        # (the cached derivatives stay: each is keyed by the parts of the text it read,
        # and the least recently used go once there are too many; not the overruns, which
        # say more about the load at the time than about the function)
        self.cache.forget_overruns(lambda key: key[0] == uri)
        self.schedule_refresh(uri)

    def saved(self, uri: str) -> None:
        """A file was saved (or changed on disk): the derivatives of the other documents may
        have followed calls into it, so none of theirs is trusted any more."""
        uri = self.canonical(uri)
        self.cache.forget(lambda key: key[0] != uri)
        for doc in list(self.workspace.text_documents.values()):
            if document_key(doc.uri) != document_key(uri):
                self.schedule_refresh(doc.uri, delay=0.0)

    def closed(self, uri: str) -> None:
        # pygls has dropped the document already: ``uri`` is the client's own spelling
        self._forget(uri)
        self.asked.pop(uri, None)
        task = self._refresh.pop(uri, None)
        if task is not None:
            task.cancel()
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def _forget(self, uri: str) -> None:
        self._snapshots.pop(uri, None)
        self.cache.forget(lambda key: key[0] == uri)

    # --- derivations ---------------------------------------------------------------

    def request(self, func: ast.FunctionDef, wrt: tuple[str, ...] | None = None,
                mode: str | None = None) -> Request:
        if not wrt:
            wrt = tuple(locate.parameters(func)[:1])
        return Request(func.name, tuple(wrt), mode or self.settings.mode, self.settings.optimize)

    async def derivation(self, snap: Snapshot, req: Request,
                         budget: float | None = None) -> Derivative:
        """The derivative for ``req`` in ``snap``: cached, off the loop, within the budget.

        Raises DiffError (cannot differentiate) or Overrun (took too long).
        """
        key, spans = derivation_reads(snap, req)
        compute = partial(_derive, snap.parsed, snap.text, req, snap.path, spans)
        placed = await self.cache.get(key, compute, budget or self.settings.time_budget)
        result = placed.at(spans)
        if result is None or _changed_on_disk(result):
            # an error derived at other lines, or a file it read changed since: derived again
            self.cache.forget(lambda k: k == key)
            placed = await self.cache.get(key, compute, budget or self.settings.time_budget)
            result = placed.at(spans)
        if isinstance(result, DiffError):
            raise result
        return result

    def cached_derivation(self, snap: Snapshot, req: Request) -> Derivative | Exception | None:
        """The derivative (or its error) if already computed; None if not (nothing starts)."""
        key, spans = derivation_reads(snap, req)
        try:
            result = self.cache.peek(key).at(spans)
        except KeyError:
            return None
        except Exception as error:
            result = error
        return None if result is None or _changed_on_disk(result) else result

    def ask(self, uri: str, req: Request) -> bool:
        """Someone asked for this derivative: its errors become diagnostics from now on.
        True if that is news (the diagnostics published so far do not cover it)."""
        asked = self.asked.setdefault(uri, {})
        if asked.get(req.function) == req:
            return False
        asked[req.function] = req
        return True

    # --- diagnostics ---------------------------------------------------------------

    def schedule_refresh(self, uri: str, delay: float = REFRESH_DELAY) -> None:
        uri = self.canonical(uri)
        task = self._refresh.pop(uri, None)
        if task is not None:
            task.cancel()
        self._refresh[uri] = asyncio.ensure_future(self._refresh_later(uri, delay))

    async def _refresh_later(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await self.publish(uri)
            await self.refresh_gradients(uri)
        except asyncio.CancelledError:
            raise
        except Exception:  # never let a background refresh take the server down
            log.exception("refreshing %s failed", uri)

    async def publish(self, uri: str) -> None:
        """Publish stale-derivative warnings and errors of the derivatives asked for, for
        an open document (one read from disk would keep them after nothing can clear them)."""
        if self.open_document(uri) is None:
            return
        uri = self.canonical(uri)
        snap = self.snapshot(uri)
        if snap is None or snap.parsed is None:
            return  # half-typed code: keep what is shown until it parses again
        diagnostics = self.stale_diagnostics(snap)
        asked = self.asked.get(uri, {})
        for req in list(asked.values()):
            func = snap.parsed.function_named(req.function)
            if func is None:
                continue
            params = {a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
            if not set(req.wrt) <= params:  # a parameter renamed or removed since: what was
                del asked[req.function]  # asked for no longer exists, so is not an error
                continue
            try:
                await self.derivation(snap, req)
            except DiffError as error:
                diagnostics.append(self.error_diagnostic(snap, req, error))
            except Overrun:
                pass
            except Exception:
                log.exception("deriving %s failed", req.function)
        current = self.snapshot(uri)
        if current is None or current.key != snap.key:
            return  # the document moved on; the next refresh publishes
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=snap.version)
        )

    def stale_diagnostics(self, snap: Snapshot) -> list[types.Diagnostic]:
        found = []
        for item in stale_mod.stale(snap.parsed):
            header = item.block.header
            line = item.block.start
            found.append(types.Diagnostic(
                range=snap.range((line, 0), (line, len(snap.parsed.line(line)))),
                message=(f"The derivative of '{header.function}' is out of date: "
                         f"'{header.function}' changed since it was generated "
                         f"(source {header.source_hash}, now {item.current_hash})"),
                severity=types.DiagnosticSeverity.Warning,
                source=SOURCE,
                code=STALE_CODE,
                data={"function": header.function, "wrt": list(header.wrt)},
            ))
        return found

    def error_diagnostic(self, snap: Snapshot, req: Request, error: DiffError) -> types.Diagnostic:
        other = elsewhere(snap, error)
        related = None
        if other is not None and error.line is not None:  # where it is, in the other file
            point = types.Position(error.line - 1, error.col or 0)
            related = [types.DiagnosticRelatedInformation(
                location=types.Location(uri=Path(other).as_uri(), range=types.Range(point, point)),
                message=error.text(),
            )]
        return types.Diagnostic(
            range=self.error_range(snap, req, error),
            message=f"Cannot differentiate '{req.function}'"
                    f"{where(snap, error) if other else ''}: {error.text()}",
            severity=types.DiagnosticSeverity.Warning,
            source=SOURCE,
            code=error.construct,
            related_information=related,
        )

    def error_range(self, snap: Snapshot, req: Request, error: DiffError) -> types.Range:
        if error.line is None or elsewhere(snap, error) is not None:
            # nothing to point at here, or the line is in another file: the function's name
            func = snap.parsed.function_named(req.function) if snap.parsed else None
            if func is not None:
                return snap.span_range(locate.name_span(snap.parsed, func))
            return snap.range((1, 0), (1, 0))
        line = error.line
        col = byte_to_cp(snap.index.line(line), error.col or 0)
        end_line = error.end_line or line
        if error.end_col is not None:
            end_col = byte_to_cp(snap.index.line(end_line), error.end_col)
        else:
            end_col = len(snap.index.line(end_line))
        return snap.range((line, col), (end_line, end_col))

    def report_failure(self, snap: Snapshot, req: Request, error: Exception) -> str:
        """A one-line message for the user; DiffErrors also become diagnostics.

        Only a request not asked for before schedules a refresh: the refresh itself
        reports the failures it meets, and rescheduling for those would loop forever.
        """
        if isinstance(error, DiffError) and self.ask(snap.uri, req):
            self.schedule_refresh(snap.uri, delay=0.0)
        return self.failure_message(snap, req, error)

    def failure_message(self, snap: Snapshot, req: Request, error: Exception) -> str:
        """A one-line message for the user, and nothing else."""
        if isinstance(error, DiffError):
            return f"Cannot differentiate '{req.function}'{where(snap, error)}: {error.text()}"
        if isinstance(error, Overrun):
            return (f"Differentiating '{req.function}' took longer than the time budget "
                    f"({error.budget_ms} ms); raise timeBudgetMs in the tangent-lsp settings "
                    "to wait longer.")
        log.error("deriving %s failed: %r", req.function, error)
        return f"tangent-lsp failed on '{req.function}': {error!r}"

    def show(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # --- edits -----------------------------------------------------------------------

    async def insertion_edit(self, snap: Snapshot, req: Request,
                             at: int | None = None) -> types.WorkspaceEdit:
        """The edit that inserts (or regenerates) the derivative below its function, for
        the document's text when the derivative is ready: a change that arrived while it
        was derived starts it again for the new text (positions computed on an older
        version would land in the wrong place for a client that applies edits without
        checking versions). ``at``: the header line of the derivative to regenerate, in
        ``snap`` (a quick fix's), forgotten if the text changes."""
        asked_for = snap.key
        for _ in range(_EDIT_ATTEMPTS):
            func = snap.parsed.function_named(req.function) if snap.parsed else None
            if func is None:
                raise LookupError(f"no function '{req.function}' in the document")
            derivative = await self.derivation(snap, req)
            current = self.snapshot(snap.uri)
            if snap.version is not None and (current is None or current.version is None):
                raise LookupError("the document was closed while its derivative was generated")
            if current is None or (current.version, current.text) == (snap.version, snap.text):
                break
            snap = current
        else:
            raise LookupError("the document kept changing while its derivative was generated")
        self.ask(snap.uri, req)
        plan = edits_mod.plan_insertion(
            snap.parsed, func, derivative.header, derivative.code, derivative.wrt,
            derivative.imports, derivative.name, at if snap.key == asked_for else None,
        )
        return self.workspace_edit(snap, plan.edits)

    def workspace_edit(self, snap: Snapshot, plan: list[edits_mod.Edit]) -> types.WorkspaceEdit:
        text_edits = [types.TextEdit(range=snap.range(e.start, e.end), new_text=e.text)
                      for e in plan]
        if self.supports_document_changes():
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=snap.uri, version=snap.version),
                edits=text_edits,
            )])
        return types.WorkspaceEdit(changes={snap.uri: text_edits})

    # --- show gradient -----------------------------------------------------------------

    def target_request(self, target: GradientTarget, snap: Snapshot) -> Request | None:
        func = snap.parsed.function_named(target.function) if snap.parsed else None
        if func is None:
            return None
        return self.request(func, target.wrt or None, target.mode)

    async def gradient_text(self, target: GradientTarget, report: bool = True) -> str:
        """The content of a gradient document: the derivative's code, or why there is none.

        ``report=False`` (a refresh) only says why: a refresh reporting a failure would
        schedule the next refresh, which meets the same failure, endlessly.
        """
        snap = self.snapshot(target.source_uri)
        if snap is None:
            return f"# tangent-lsp: {target.source_uri} is not open\n"
        if snap.parsed is None:
            return "# tangent-lsp: the module has a syntax error\n"
        req = self.target_request(target, snap)
        if req is None:
            return f"# tangent-lsp: no top-level function '{target.function}'\n"
        try:
            return (await self.derivation(snap, req)).code
        except (DiffError, Overrun) as error:
            tell = self.report_failure if report else self.failure_message
            return f"# tangent-lsp: {tell(snap, req, error)}\n"

    def remember_served(self, uri: str, target: GradientTarget, text: str) -> None:
        self.served[uri] = (target, text)
        self.served.move_to_end(uri)
        while len(self.served) > MAX_SERVED:
            self.served.popitem(last=False)

    async def refresh_gradients(self, source_uri: str) -> None:
        """Ask the client to reload gradient documents whose content changed (not while
        the source does not parse: half-typed code keeps the last derivative shown, as it
        keeps the diagnostics)."""
        if not self.supports_content():
            return
        snap = self.snapshot(source_uri)
        if snap is not None and snap.parsed is None:
            return
        source_uri = self.canonical(source_uri)
        for uri, (target, last) in list(self.served.items()):
            if self.canonical(target.source_uri) != source_uri:
                continue
            text = await self.gradient_text(target, report=False)
            if text == last:
                continue
            self.remember_served(uri, target, text)
            try:
                await ask_client(self.workspace_text_document_content_refresh_async(
                    types.TextDocumentContentRefreshParams(uri=uri)))
            except Exception as error:  # an old client without the request: fine
                log.info("textDocumentContent/refresh for %s: %r", uri, error)

    async def gradient(self, snap: Snapshot, req: Request) -> dict[str, Any]:
        """The Show gradient payload: stable URI, code, source map (raises on failure)."""
        derivative = await self.derivation(snap, req)
        self.ask(snap.uri, req)
        self.schedule_refresh(snap.uri, delay=0.0)
        target = GradientTarget(snap.uri, req.function, req.mode, req.wrt)
        uri = gradient_uri(target)
        self.remember_served(uri, target, derivative.code)
        return {
            "uri": uri,
            "code": derivative.code,
            "sourceMap": {str(k): list(v) for k, v in sorted(derivative.source_map.items())},
            "name": derivative.name,
            "function": derivative.function,
            "wrt": list(derivative.wrt),
            "mode": req.mode,
            "header": derivative.header,
            "imports": list(derivative.imports),
        }

    def warm_up(self) -> None:
        """Parse the rule library while the client opens its first document (the first
        request would wait 290 ms for it), then take everything alive by then (the library,
        NumPy, pygls) out of the cycle collector's way: a full collection walks every
        object it tracks, which made 100-200 ms pauses between requests."""
        def load() -> None:
            library()
            gc.freeze()

        threading.Thread(target=load, name="tangent-warm-up", daemon=True).start()

    def with_settings(self, raw: Any) -> None:
        self.settings, warnings = settings_mod.update(self.settings, raw)
        for warning in warnings:
            log.warning("settings: %s", warning)
        if warnings:  # the user typed them: say so where they look, not only in a log
            self.show(f"tangent-lsp settings: {'; '.join(warnings)} (ignored)")

