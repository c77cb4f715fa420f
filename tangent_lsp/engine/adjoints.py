"""The adjoint of one normalized statement: accumulation into ``b<name>`` variables.

Accumulation follows what a person would write: the first contribution to an
adjoint assigns it (``bx = ...``), later ones add to it (``bx = bx + ...``).
``initialized`` and ``owned`` track, along the backward sweep being built,
which adjoints already hold a value and which hold a fresh array that may be
updated in place (``bx[i] += g``) without touching another adjoint it aliases.
"""

from __future__ import annotations


import gast

from . import syntax as S
from .errors import DiffError, no_rule_error
from .ir import Op
from .naming import Namer, adjoint_base
from .project import missing_module, module_file
from .operands import TAKE_SEQUENCES
from .templates import Contribution, expand


class StatementAdjoints:
    def __init__(self, active: set[str], namer: Namer, np_alias: str) -> None:
        self.active = active
        self.namer = namer
        self.np = np_alias
        self.adjoints: dict[str, str] = {}
        self.initialized: set[str] = set()
        self.owned: set[str] = set()
        # adjoints that may hold the number 0.0 (their primal is assigned on some paths
        # only, so no shape was known where they were made): copied with the shape
        self.maybe_numbers: set[str] = set()
        self.helpers: set[str] = set()
        self.out: list[gast.stmt] = []
        self.integers: set[str] = set()  # names known to hold Python ints (loop indices)
        self.calls = None  # answers for calls of the user's functions (program.CallSite)
        self.containers: dict[str, str] = {}  # names that are lists/dicts (analysis)
        self.call_results: set[str] = set()  # results of the user's functions (tuples)
        # Containers whose adjoint was made of zeros, the block whose code made them, and
        # the constant keys written since: in that block, the first write of a key is an
        # assignment, not `+ 0`.
        self.zero_keys: dict[str, tuple[int, set]] = {}
        self.depth = 0  # of the statement whose adjoint is being written (0: top level)
        self.block = 0  # which block's code is being written (each gets its own number)
        self.copies: set[str] = set()  # adjoints `own` copied (in the loop being written)

    def adjoint(self, name: str) -> str:
        if name not in self.adjoints:
            self.adjoints[name] = self.namer.fresh(adjoint_base(name))
        return self.adjoints[name]

    def zeros(self, name: str) -> gast.stmt:
        """``bx = np.zeros(np.shape(x))``: an adjoint that is owned and initialized.
        (``zeros_like(x)`` for lists and dicts: one zero per element.)"""
        self.initialized.add(name)
        self.owned.add(name)
        if name in self.containers:
            self.helpers.add("zeros_like")
            if self.containers[name] != "positional":  # those add with `+=`
                self.zero_keys[name] = (self.block, set())
            return S.assign(self.adjoint(name), S.call("zeros_like", [S.name(name)]))
        value = S.call(f"{self.np}.zeros", [S.call(f"{self.np}.shape", [S.name(name)])])
        return S.assign(self.adjoint(name), value)

    def own(self, name: str) -> None:
        """Make ``name``'s adjoint a fresh object before updating it in place."""
        if name not in self.initialized:
            self.out.append(self.zeros(name))
        elif name not in self.owned:
            self.copies.add(name)
            self.zero_keys.pop(name, None)
            adj = S.name(self.adjoint(name))
            kind = self.containers.get(name)
            if kind in _GENERIC and name in self.maybe_numbers:  # 0.0, an array or a list
                self.helpers |= {"add_grad", "zeros_like"}
                copy_of = S.call("add_grad", [adj, S.call("zeros_like", [S.name(name)])])
            elif kind:
                copy_of = S.call(_COPY[kind], [adj])
                self.helpers |= {"copied"} if kind in _GENERIC else set()
            elif name in self.maybe_numbers:  # `bx + np.zeros(np.shape(x))`: an array
                shape = S.call(f"{self.np}.shape", [S.name(name)])
                copy_of = S.binop(adj, gast.Add(), S.call(f"{self.np}.zeros", [shape]))
            else:
                copy_of = S.call(S.attribute(adj, "copy"), [])
            self.out.append(S.assign(self.adjoint(name), copy_of))
            self.owned.add(name)

    # --- accumulation -----------------------------------------------------------

    def accumulate(self, name: str, value: gast.expr) -> None:
        adj = self.adjoint(name)
        kind = self.containers.get(name)
        if kind:  # lists and dicts add element by element
            self.zero_keys.pop(name, None)
            if name in self.initialized:
                self.helpers.add("add_grad")
                value = S.call("add_grad", [S.name(adj), value])
            else:  # shared until `own` copies it, as for an array
                self.out.append(S.assign(adj, value))
                self.initialized.add(name)
                self.owned.discard(name)
                return
            self.out.append(S.assign(adj, value))
            self.owned.add(name)
            return
        if name in self.initialized:
            self.out.append(S.assign(adj, S.binop(S.name(adj), gast.Add(), value)))
            self.owned.add(name)
        else:
            self.out.append(S.assign(adj, value))
            self.initialized.add(name)
            self.owned.discard(name)

    def contribute(self, target: gast.expr, value: gast.expr, op: Op | None) -> None:
        """Add ``value`` to the adjoint of whatever the template parameter was bound to."""
        if isinstance(target, gast.Name):
            if target.id in self.active:
                if (
                    self.containers.get(target.id) == "list"
                    and op is not None and op.kind == "rule"  # (None: the seed of `return hs, c`)
                    and op.key.startswith("numpy.") and op.key not in TAKE_SEQUENCES
                ):  # `np.sum(xs)` of a list: its adjoint is an array, split back into a list
                    self.helpers.add("unarray")
                    value = S.call("list", [S.call("unarray", [value, S.name(target.id)])])
                self.accumulate(target.id, value)
            return
        if isinstance(target, (gast.Tuple, gast.List)):
            elements = target.elts
            if any(isinstance(e, (gast.Tuple, gast.List)) for e in elements):
                self.contribute_nested(elements, value, op)
                return
            wanted = [isinstance(e, gast.Name) and e.id in self.active for e in elements]
            if not any(wanted):
                return
            if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(elements) and (
                not any(isinstance(e, gast.Starred) for e in value.elts + elements)
            ):  # `(g, 0.0)` for `(L, True)` (a rule's derivative of a pair): part by part
                for element, item, w in zip(elements, value.elts, wanted):
                    if w:
                        self.accumulate(element.id, item)
                return
            ids = [e.id for e, w in zip(elements, wanted) if w]
            fresh = all(i not in self.initialized for i in ids) and len(set(ids)) == len(ids)
            if fresh:
                names = [
                    S.name(self.adjoint(e.id), store=True) if w else S.name("_", store=True)
                    for e, w in zip(elements, wanted)
                ]
                self.out.append(S.assign(gast.Tuple(elts=names, ctx=gast.Store()), value))
                self.initialized.update(ids)
                return
            parts = self.namer.fresh("parts", temporary=True)
            self.out.append(S.assign(parts, value))
            for index, (element, w) in enumerate(zip(elements, wanted)):
                if w:
                    item = gast.Subscript(value=S.name(parts), slice=S.constant(index), ctx=gast.Load())
                    self.accumulate(element.id, item)
            return
        # constants and globals carry no derivative

    def contribute_nested(self, elements: list[gast.expr], value: gast.expr, op: Op) -> None:
        """``np.atleast_1d([a, b])``: a literal inside a tuple of arguments."""
        if not any(n in self.active for e in elements for n in S.loaded_names(e)):
            return
        parts = self.namer.fresh("parts", temporary=True)
        self.out.append(S.assign(parts, value))
        for index, element in enumerate(elements):
            item = gast.Subscript(value=S.name(parts), slice=S.constant(index), ctx=gast.Load())
            self.contribute(element, item, op)

    # --- statements ---------------------------------------------------------------

    def adjoint_of(self, op: Op) -> None:
        by = S.name(self.adjoint(op.target))
        if op.kind == "copy":
            self.contribute(op.value, by, op)
        elif op.kind == "literal":
            if isinstance(op.value, gast.Dict):
                pairs = [(S.clone(k), v) for k, v in zip(op.value.keys, op.value.values)]
            else:
                pairs = [(S.constant(i), e) for i, e in enumerate(op.value.elts)]
            for key, element in pairs:
                item = gast.Subscript(value=by, slice=key, ctx=gast.Load())
                self.contribute(element, item, op)
        elif op.kind == "append":
            self.append(op)
        elif op.kind == "setitem":
            self.setitem(op)
        elif op.kind == "pop":
            self.pop(op)
        elif op.kind == "subscript":
            self.subscript(op, by)
        elif op.kind == "rule":
            self.rule(op, by)
        elif op.kind == "call":
            self.user_call(op, by)

    def pop(self, op: Op) -> None:
        """``y = xs.pop()``: ``y``'s adjoint goes back on the end of ``xs``'s adjoint."""
        xs, y = op.args[0].id, op.target
        if y not in self.initialized and xs not in self.initialized:
            return
        self.own(xs)  # zeros for the shorter list if nothing reached it yet
        if y in self.initialized:
            item = S.name(self.adjoint(y))
        else:
            self.helpers.add("zeros_like")
            item = S.call("zeros_like", [S.name(y)])
        self.out.append(gast.Expr(value=S.call(S.attribute(S.name(self.adjoint(xs)), "append"), [item])))

    def append(self, op: Op) -> None:
        """``hs.append(h)``: ``h``'s adjoint is the last element of ``hs``'s adjoint."""
        if op.target not in self.initialized:
            return  # nothing read the list after this append
        self.own(op.target)
        popped = S.call(S.attribute(S.name(self.adjoint(op.target)), "pop"), [])
        if not any(name in self.active for name in S.loaded_names(op.args[1])):
            # a constant on the list still has its slot in the list's adjoint
            self.out.append(gast.Expr(value=popped))
            return
        self.contribute(op.args[1], popped, op)

    def setitem(self, op: Op) -> None:
        """``x[i] = v``: ``v`` gets ``bx[i]``; the overwritten elements of the old ``x``
        get nothing from here on, so ``bx[i]`` is reset to zero."""
        if op.target not in self.initialized:
            return
        x = op.target
        if x in self.maybe_numbers and x not in self.owned:
            self.own(x)  # an array before its elements are read
        bx = S.name(self.adjoint(x))
        location = S.clone(op.value)
        location.value = bx
        kind = self.containers.get(x)
        if kind in _GENERIC:  # an element, or a view of an array: copy it before zeroing it
            self.helpers.add("copied")
            location = S.call("copied", [location])
        elif not kind and not basic_index(location.slice, self.integers):
            # an array or list index may name a position twice: the last write wins
            self.helpers.add("assigned_part")
            location = S.call("assigned_part", [bx, _slices_as_calls(location.slice)])
        elif not kind:  # a slice is a view: copy it before zeroing it below
            location = S.call(S.attribute(location, "copy"), [])
        item = op.args[1]
        later = None  # `y[::-1] = y`: the value's share, added after the slots are zeroed
        if isinstance(item, gast.Name) and item.id in self.active:
            if item.id == x:
                held = self.namer.fresh(f"{self.adjoint(x)}_part", temporary=True)
                self.out.append(S.assign(held, location))
                later = S.call("unbroadcast", [S.name(held), S.name(item.id)])
            else:
                self.contribute(item, S.call("unbroadcast", [location, S.name(item.id)]), op)
            self.helpers.add("unbroadcast")
        self.own(x)
        cleared = S.clone(op.value)
        cleared.value, cleared.ctx = S.name(self.adjoint(x)), gast.Store()
        zero = S.constant(0.0)
        if kind and isinstance(cleared.slice, gast.Slice):  # a list's slice takes a list
            self.helpers.add("zeros_like")
            part = S.clone(cleared)
            part.ctx = gast.Load()
            zero = S.call("zeros_like", [part])
        self.out.append(S.assign(cleared, zero))
        if later is not None:
            self.contribute(item, later, op)

    def call_wrt(self, op: Op) -> tuple[list[str], list[gast.expr]]:
        """The parameters of a call of the user's function that active values bind to
        (``y = g(a, 2.0, k=c)``: ``a`` and ``k``), and those values."""
        params = self.calls.parameters(op.key, op.node)
        positional = op.args[: len(params)]
        wrt: list[str] = []
        targets: list[gast.expr] = []
        for param, arg in zip(params, positional):
            if set(S.loaded_names(arg)) & self.active:
                wrt.append(param)
                targets.append(arg)
        for key, arg in op.keywords.items():
            if set(S.loaded_names(arg)) & self.active:
                wrt.append(key)
                targets.append(arg)
        return wrt, targets

    def user_call(self, op: Op, by: gast.Name) -> None:
        """``y, saved_g = dg_da_dk_forward(a, 2.0, k=c)`` in the forward sweep (see
        ``reverse.py``) → ``ba, bc = dg_da_dk_backward(y, saved_g, a, 2.0, k=c, bg=by)``."""
        wrt, targets = self.call_wrt(op)
        if not wrt:
            return
        halves = self.calls.halves(op.key, wrt, op.node)
        before = ([S.name(op.target)] if halves.takes_result else []) + (
            [S.name(op.saved)] if op.saved else []
        )
        seed = halves.backward.args.args[-1].id  # the last positional parameter
        keywords = dict(op.keywords)
        keywords[seed] = by
        value = S.call(halves.backward.name, before + list(op.args), keywords)
        target = targets[0] if len(targets) == 1 else gast.Tuple(elts=targets, ctx=gast.Load())
        self.contribute(target, value, op)

    def rule(self, op: Op, by: gast.Name) -> None:
        if op.error is not None:
            raise op.error
        if op.template is None:
            missing = missing_module(op.key)
            if missing is not None:
                name = op.key.rpartition(".")[2]
                resolver = getattr(self.calls, "resolver", None)
                path = getattr(getattr(resolver, "module", None), "path", None)
                beside = path is not None and module_file(path, missing) is not None
                if not missing.startswith(".") and not beside:  # no file of the project, and
                    # not installed
                    raise DiffError(
                        "call", f"cannot find the module '{missing}' that {op.shown} comes from",
                        hint="check the import: a file of the project, or an installed package",
                    ).at(op.node)
                raise DiffError(  # the file may be there, without a plain def of that name
                    "call", f"cannot find '{name}' in the module '{missing}' that {op.shown} "
                    "comes from",
                    hint=f"check that the file exists and defines {name} with a plain "
                    "top-level def (not under an if, not assigned from something else)",
                ).at(op.node)
            raise no_rule_error("derivative", op.key, op.shown, (
                "it has a forward-mode rule (@tangent_) only: write its @adjoint too"
                if op.forward_template is not None
                else "write one with @adjoint, or wrap the value in stop_gradient(...)"
            )).at(op.node)
        expansion = expand(
            op.template, op.bound, S.name(op.target),
            {op.template.result: by}, self.namer, self.np,
        )
        self.helpers |= expansion.helpers
        for item in expansion.statements:
            if isinstance(item, Contribution):
                self.contribute(op.bound[item.param], item.value, op)
            else:
                self.out.append(item)

    def subscript(self, op: Op, by: gast.Name) -> None:
        base = op.value.value
        if not (isinstance(base, gast.Name) and base.id in self.active):
            return
        x = base.id
        kind = self.containers.get(x)
        if not kind and op.target not in self.maybe_numbers and (
            (removed := _new_axes_taken_out(op.value.slice)) is not None
        ):  # `x[:, None, :]` is x with an axis more: its adjoint, with that axis read at 0
            self.accumulate(x, gast.Subscript(value=by, slice=removed, ctx=gast.Load()))
            return
        bx = self.adjoint(x)
        self.own(x)
        index = S.clone(op.value.slice)
        if kind in _GENERIC and not (basic_index(index, self.integers) or _is_key(index)):
            # an index array, or a position computed (`xs[n - 1]`) or passed in, into an
            # array or a list: the run time knows
            self.zero_keys.pop(x, None)  # some position, written: the others are not known
            self.helpers.add("add_at")
            added = S.call("add_at", [S.name(bx), _slices_as_calls(index), by])
            self.out.append(S.assign(bx, added))
            return
        if kind and isinstance(index, gast.Slice):
            # `bx[1:] += g` would lengthen a list: add element by element (an array too)
            self.zero_keys.pop(x, None)  # which positions are still zero is no longer known
            self.helpers.add("add_grad")
            part = gast.Subscript(value=S.name(bx), slice=index, ctx=gast.Load())
            target = gast.Subscript(value=S.name(bx), slice=S.clone(index), ctx=gast.Store())
            self.out.append(S.assign(target, S.call("add_grad", [part, by])))
            return
        if kind == "positional":
            kind = None  # `bx[0] += g` into elements zeros_like made
        if kind:  # rebind the element: never update a shared element in place
            target = gast.Subscript(value=S.name(bx), slice=S.clone(index), ctx=gast.Store())
            key = index.value if isinstance(index, gast.Constant) else None
            made = self.zero_keys.get(x)
            if made is not None and key is None:
                self.zero_keys.pop(x)  # some key, written: the others are no longer known
            elif made is not None and kind != "dict" and _may_alias(key, made[1]):
                self.zero_keys.pop(x)  # `xs[-1]` after `xs[0]`: one slot when len(xs) == 1
            elif made is not None and key not in made[1]:
                made[1].add(key)
                if made[0] == self.block:  # still the zero zeros_like made: no need to add
                    self.out.append(S.assign(target, by))
                    return
            current = gast.Subscript(value=S.name(bx), slice=index, ctx=gast.Load())
            if x in self.call_results or kind == "any" or op.target in self.containers:
                # an element that may hold values itself: not `+`
                self.helpers.add("add_grad")
                self.out.append(S.assign(target, S.call("add_grad", [current, by])))
            else:
                self.out.append(S.assign(target, S.binop(current, gast.Add(), by)))
        elif basic_index(index, self.integers):
            target = gast.Subscript(value=S.name(bx), slice=index, ctx=gast.Store())
            self.out.append(gast.AugAssign(target=target, op=gast.Add(), value=by))
        else:  # an index array may repeat elements: accumulate each occurrence
            add_at = S.call(f"{self.np}.add.at", [S.name(bx), _slices_as_calls(index), by])
            self.out.append(gast.Expr(value=add_at))



def _new_axes_taken_out(index: gast.expr) -> gast.expr | None:
    """``:, 0, :`` for ``:, None, :``: an index that only adds axes (``None``, whole
    slices, an ellipsis), with each added axis read at 0; None for any other index."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    if not any(_is_none(p) for p in parts) or not all(
        _is_none(p) or _whole(p) or (isinstance(p, gast.Constant) and p.value is Ellipsis)
        for p in parts
    ):
        return None
    taken = [S.constant(0) if _is_none(p) else S.clone(p) for p in parts]
    return gast.Tuple(elts=taken, ctx=gast.Load()) if isinstance(index, gast.Tuple) else taken[0]


def _is_none(part: gast.expr) -> bool:
    return isinstance(part, gast.Constant) and part.value is None


def _whole(part: gast.expr) -> bool:
    return isinstance(part, gast.Slice) and part.lower is None and part.upper is None and (
        part.step is None
    )


def _may_alias(key, written: set) -> bool:
    """Whether position ``key`` of a list may be a slot already written: a negative and
    a non-negative position meet when the list is short enough."""
    return type(key) is int and any(
        type(other) is int and (other < 0) != (key < 0) for other in written
    )


# How a container's adjoint is copied before it is written into
_COPY = {"list": "list", "dict": "dict", "any": "copied", "positional": "copied"}
# Kinds whose values may be arrays or containers: the runtime's helpers tell them apart
_GENERIC = frozenset({"any", "positional"})


def _is_key(index: gast.expr) -> bool:
    return isinstance(index, gast.Constant) and isinstance(index.value, str)


def _slices_as_calls(index: gast.expr) -> gast.expr:
    """``(:, j)`` can only be written inside brackets; as an argument it is
    ``(slice(None, None, None), j)``."""
    if isinstance(index, gast.Slice):
        parts = [p if p is not None else S.constant(None) for p in (index.lower, index.upper, index.step)]
        return S.call("slice", parts)
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_slices_as_calls(e) for e in index.elts], ctx=gast.Load())
    return index


def basic_index(index: gast.expr, integers: set[str] = frozenset()) -> bool:
    """Ints, slices and None/Ellipsis: ``bx[index] += g`` is exact for these (with an
    array of indices it would drop repeated ones, so those use ``np.add.at``)."""
    if isinstance(index, gast.Tuple):
        return all(basic_index(e, integers) for e in index.elts)
    if isinstance(index, gast.Name):
        return index.id in integers
    if isinstance(index, gast.Slice):
        return True
    if isinstance(index, gast.Constant):
        return index.value is None or index.value is Ellipsis or isinstance(index.value, int)
    if isinstance(index, gast.Attribute):
        return index.attr == "newaxis"
    return False

