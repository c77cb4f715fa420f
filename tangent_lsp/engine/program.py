"""One request, several generated functions: the derivative asked for, and the
derivatives of the user's own functions it calls.

A callee's derivative is generated once per set of arguments it is
differentiated with respect to (``dg_dx``), named after the callee and placed
after the caller's. In the caller's backward sweep, ``y = g(x, 2.0)`` becomes
``bx = dg_dx(x, 2.0, bg=by)``: the callee's derivative recomputes its own
forward values, so the caller's tape stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from .aliasing import check_views
from .branch_writes import assign_first_writes_in_branches
from .dead_slots import drop_dead_slot_writes
from .views import backward_value_reads
from . import analysis, optimize
from .container_kinds import (
    container_kinds, returned_elements, returned_kind, returned_parameter,
)
from .accumulate import accumulate_in_place, drop_copies_of_fresh_values
from .dead_code import calls_are_pure
from .hoist import hoist_invariants
from .methods import reductions_as_methods
from .number_zeros import zeros_of_numbers
from .motion import CalleeHalves, split_callee
from .products import fuse_gram_adjoints
from .shape_passes import PRODUCT_SHAPE_HELPERS, keep_shapes_only
from .shared_pushes import share_copied_pushes
from .reread import reread_indexed_arguments
from .dead_zeroing import drop_dead_zeroing
from .steady_shapes import drop_steady_shape_pushes
from . import syntax as S
from .errors import DiffError
from .naming import Namer, derivative_name
from .checks import check_decorators, check_signature
from .normalize import normalize
from .parse import Module
from .project import imports_for, module_name_of
from .row_guards import guard_unsure_rows
from .seed_spread import spread_seed
from .resolve import Resolver, StaticResolver
from .forward import ForwardResult, forward
from .reverse import ReverseResult, reverse
from .shapes import (
    SCALAR, ZERO_D, Shape, ShapeClasses, called_shape_keepers, result_shape, shape_classes,
)
from .templates import RuleLibrary, library


@dataclass
class Generated:
    function: gast.FunctionDef
    result: ReverseResult | ForwardResult
    namer: Namer
    seed: str = ""  # reverse mode: the output seed's parameter


@dataclass
class CalleeKinds:
    """What a callee's source does with its parameters and returns (``container_kinds``)."""

    parameters: dict[str, str] = field(default_factory=dict)
    result: str | None = None
    argument: str | None = None  # the parameter it returns itself (`return Ws`)
    elements: tuple[str | None, ...] | None = None  # of a tuple literal it returns
    # ZERO_D when it returns shape () whatever its arguments (a loss: a full reduction),
    # SCALAR for a Python number, else None
    shape: Shape | None = None


@dataclass
class Program:
    module: Module
    resolver: Resolver
    optimized: bool = True
    rules: RuleLibrary | None = None
    np_alias: str = "np"
    function_names: Namer = field(default_factory=lambda: Namer(set()))
    callees: list[gast.FunctionDef] = field(default_factory=list)
    helpers: set[str] = field(default_factory=set)
    # per (callee, wrt, mode): forward mode's (name, tangent parameters), reverse mode's halves
    done: dict[tuple, tuple[str, list[str]] | CalleeHalves] = field(default_factory=dict)
    in_progress: set[str] = field(default_factory=set)
    imports: list[str] = field(default_factory=list)  # for callees from other files
    kinds: dict[str, CalleeKinds] = field(default_factory=dict)  # per callee
    checking: dict[str, bool] = field(default_factory=dict)  # per callee: see `checks`
    # globals the callees' derivatives read, by the name they have in the generated module
    claimed: dict[str, object] = field(default_factory=dict)

    def forward_halves(self) -> set[str]:
        """The names of the callees' forward halves written so far (reverse mode)."""
        return {
            h.forward.name for h in self.done.values()
            if isinstance(h, CalleeHalves) and h.forward is not None
        }

    def rules_for(self, module: Module) -> RuleLibrary:
        if self.rules is not None and module is self.module:
            return self.rules
        return library().with_module(module, StaticResolver(module))

    def generate(
        self,
        module: Module,
        node: gast.FunctionDef,
        resolver: Resolver,
        wrt: list[str],
        name: str,
        preserve_result: bool = False,
        seed_default: bool = True,
        mode: str = "reverse",
        callee: bool = False,
    ) -> Generated:
        """The derivative of one function (reverse or forward mode), optimized. A
        ``callee``'s seed is its caller's adjoint, of the result's shape: never spread."""
        check_signature(node)
        check_decorators(node, resolver)
        every_name = S.names(node)  # one walk of the user's function, for the namer and normalize
        namer = Namer(
            module_names(module) | {n.id for n in every_name} | self.function_names.taken
        )
        fn = hoist_invariants(normalize(module, node, resolver, namer, every_name))
        analysis.bind_rules(fn, self.rules_for(module), resolver)
        # after binding: calls of the user's functions are known (op.kind == 'call')
        calls = self.CallSite(self, resolver)
        changed = check_views(fn, lambda key: getattr(resolver.callee(key), "node", None),
                              calls.result_kind)
        guarded = guard_unsure_rows(fn, changed.unsure_rows(), namer)
        if guarded:
            self.helpers.add("not_a_view")
        active = analysis.active_variables(fn, wrt)
        # the generated module's own name for numpy: a callee from another file may import
        # only its functions (`from numpy import sin`), or name it otherwise
        np_alias = self.resolver.numpy_alias() or self.np_alias
        if mode == "forward":
            result = forward(fn, wrt, active, namer, np_alias, name, preserve_result, calls)
            derived = result.tangents
            seed = ""
        else:
            result = reverse(
                fn, wrt, active, namer, np_alias, name, preserve_result=preserve_result,
                seed_default=seed_default, calls=calls,
            )
            derived = result.adjoints
            seed = result.seed
        self.helpers |= result.helpers
        self.helpers.add("add_at")  # np.add.at in generated code differentiated again
        function = result.function
        classes = spread = None
        if mode == "reverse" and not callee:
            classes = shape_classes(fn, calls.result_shape)
            classes.adjoint_of = {d: primal for primal, d in derived.items()}
            spread = spread_seed(function, fn, seed, derived, classes, namer)
            if spread:
                self.helpers.add("unreduce")
        if self.optimized:
            temporaries = namer.temporaries
            derived_temporaries = {d for primal, d in derived.items() if primal in temporaries}
            inlinable = (temporaries | derived_temporaries) - {seed}
            mergeable = set(derived.values()) - {seed}
            if classes is None:
                classes = shape_classes(fn, calls.result_shape)
            classes.adjoint_of = {d: primal for primal, d in derived.items()}
            if not spread and seed in classes.adjoint_of and classes.of_name(seed) not in (
                SCALAR, ZERO_D, None
            ):  # the seed defaults to 1.0 for an array result too (the gradient of its sum):
                # its shape is its own, so `unbroadcast(bf * 2.0, x)` keeps x's shape
                del classes.adjoint_of[seed]
            classes.np_alias = np_alias
            classes.containers = getattr(result, "containers", None)  # None: forward mode
            user_calls = S.nodes_of(node.body, gast.Call)  # one walk: elementwise names, purity
            classes.elementwise, classes.square = called_shape_keepers(
                node, resolver, every_name, user_calls
            )
            stable = analysis.stable_names(fn)
            # the derivative calls what the function calls, plus pure helpers
            pure = not guarded and calls_are_pure(user_calls) and not any(  # (see `checks`)
                op.kind == "call" and self.checks(op.key, resolver) for op in analysis.walk_ops(fn.body)
            )
            function = optimize.optimize(
                function, inlinable, mergeable, classes, stable, np_alias, pure=pure
            )
            self.helpers |= PRODUCT_SHAPE_HELPERS | {"broadcast_shape"}  # imported where written
            if mode == "reverse" and fuse_gram_adjoints(function, stable, np_alias):
                self.helpers.add("gram_adjoint")
                function = optimize.eliminate_dead_code(function)
                function = optimize.propagate_assignments(function, inlinable, mergeable)
            if mode == "reverse":
                function = reread_indexed_arguments(share_copied_pushes(function))
            if mode == "reverse" and keep_shapes_only(function, np_alias):
                self.helpers.add("shape_of")
                function = drop_steady_shape_pushes(function, np_alias)
            if mode == "reverse":
                function = accumulate_in_place(function, np_alias)
                function = assign_first_writes_in_branches(function, np_alias)
                function = drop_dead_zeroing(function)
                function = drop_dead_slot_writes(function)
            function = drop_copies_of_fresh_values(function, np_alias)
            if mode == "reverse" and zeros_of_numbers(function, np_alias, classes):
                self.helpers.add("zeros_of")
            function = reductions_as_methods(function, np_alias, seed)
        else:
            function = optimize.drop_empty_comments(function)
        if mode == "reverse" and changed.names():  # (forward mode reads nothing later)
            stale = changed.names() & backward_value_reads(function)
            if stale:
                raise changed.error(min(stale))
        return Generated(function, result, namer, seed)

    def rename_rebound_globals(
        self, function: gast.FunctionDef, owner: Resolver
    ) -> dict[str, str]:
        """A callee from another module reads its own module's globals, which the generated
        code (one module, one namespace) may bind to something else: ``SCALE`` there,
        ``SCALE`` here. Those are read under a fresh alias (``hmod_SCALE``) in the callee's
        derivative; returns alias → name."""
        if owner is self.resolver:
            return {}
        local = {a.id for a in function.args.args} | set(S.stored_names(function.body))
        renamed: dict[str, str] = {}
        aliases: dict[str, str] = {}
        defaults = [d for d in function.args.defaults + function.args.kw_defaults if d is not None]
        for node in S.names(function.body + defaults):  # `scale=SCALE` reads it too
            name = node.id
            if node.ctx.__class__ is not gast.Load or name in local:
                continue
            if name not in aliases:
                aliases[name] = self._global_name(name, owner)
                if aliases[name] != name:
                    renamed[aliases[name]] = name
            node.id = aliases[name]
        return renamed

    def _global_name(self, name: str, owner: Resolver) -> str:
        """What ``owner``'s global ``name`` is called in the generated module: its own name
        if that means the same there (or nothing yet: the first callee to read it claims
        it), else a fresh alias no module binds."""
        own = owner.binding(name)
        if own is None:
            return name
        meaning = self.resolver.binding(name)
        if meaning is None:
            meaning = self.claimed.setdefault(name, own)
            if meaning == own:
                self.resolver.borrow(name, owner, name)  # the API binds it from its module
        if meaning == own:
            return name
        module = getattr(owner, "module_name", "").rpartition(".")[2].strip("_")
        alias = f"{module or 'its'}_{name}"
        bound = self.resolver.binding(alias)
        if bound is not None and bound in (own, _imported_as(own, name)):
            return alias  # imported under that alias already (by a derivative inserted before)
        alias = self.function_names.fresh(alias)
        while self.resolver.binding(alias) is not None or alias in self.claimed:
            alias = self.function_names.fresh(alias)
        self.claimed[alias] = own
        self.resolver.borrow(alias, owner, name)
        return alias

    def callee_kinds(self, qualname: str, resolver: Resolver) -> CalleeKinds:
        """Which of a callee's parameters hold lists, dicts or tuples, and what it returns
        (``container_kinds`` of its normalized body): its derivative returns adjoints of
        that kind and takes a seed of its result's kind, so the caller must build them as
        such. Unknown (no source, or code the callee's own derivative will report) is
        none."""
        if qualname in self.kinds:
            return self.kinds[qualname]
        self.kinds[qualname] = CalleeKinds()  # recursion: reported when it is differentiated
        callee = resolver.callee(qualname)
        if callee is None:
            return self.kinds[qualname]
        try:
            fn = normalize(callee.module, callee.node, callee.resolver, Namer(set()))
            analysis.bind_rules(fn, self.rules_for(callee.module), callee.resolver)
        except DiffError:
            return self.kinds[qualname]
        calls = self.CallSite(self, callee.resolver)
        kinds = container_kinds(
            fn, calls.argument_kinds, calls.result_kind, calls.returned_argument,
            calls.result_elements,
        )
        self.kinds[qualname] = CalleeKinds(
            {p: kinds[p] for p in fn.params if p in kinds}, returned_kind(fn, kinds),
            returned_parameter(fn), returned_elements(fn, kinds),
            result_shape(fn, shape_classes(fn, calls.result_shape)),
        )
        return self.kinds[qualname]

    def checks(self, qualname: str, resolver: Resolver) -> bool:
        """Whether the user's function ``qualname`` checks its inputs (``raise``,
        ``assert``), itself or through a function it calls: a call of it is kept for
        that, where its value is not needed."""
        if qualname in self.checking:
            return self.checking[qualname]
        self.checking[qualname] = False  # recursion: reported when it is differentiated
        callee = resolver.callee(qualname)
        if callee is None:
            return False
        body = callee.node.body
        found = bool(S.nodes_of_any(body, (gast.Raise, gast.Assert))) or any(
            callee.resolver.is_user_function(called)
            and self.checks(called, callee.resolver)
            for call in S.nodes_of(body, gast.Call)
            if (called := callee.resolver.qualname(call.func)) is not None
        )
        self.checking[qualname] = found
        return found

    @dataclass
    class CallSite:
        """What the reverse transform asks when it meets ``y = g(...)``."""

        program: "Program"
        resolver: Resolver

        def parameters(self, qualname: str, node: gast.AST) -> list[str]:
            callee = self.resolver.callee(qualname)
            if callee is None:
                raise DiffError(
                    "call", f"cannot read the source of '{qualname.rsplit('.', 1)[-1]}'",
                    hint="define it with def in this module, or give it a rule with @adjoint",
                ).at(node)
            args = callee.node.args
            if args.vararg is not None or args.kwarg is not None:  # its arguments bind by name
                star = "*args" if args.vararg is not None else "**kwargs"
                raise DiffError(
                    "call", f"'{callee.node.name}' takes {star}: its derivative cannot tell "
                    "which argument is which",
                    hint=f"give '{callee.node.name}' a named parameter for each argument",
                ).at(node)
            return [a.id for a in args.posonlyargs + args.args]

        def argument_kinds(self, op) -> list[tuple[gast.expr, str]]:
            """The arguments of a call of the user's function that the callee treats
            as containers, with their kinds."""
            kinds = self.program.callee_kinds(op.key, self.resolver).parameters
            if not kinds:
                return []
            callee = self.resolver.callee(op.key)
            args = callee.node.args
            params = [a.id for a in args.posonlyargs + args.args]
            pairs = list(zip(op.args, params)) + [(a, k) for k, a in op.keywords.items()]
            return [(arg, kinds[param]) for arg, param in pairs if param in kinds]

        def result_kind(self, op) -> str | None:
            """The kind of what a call of the user's function returns (``returned_kind``)."""
            return self.program.callee_kinds(op.key, self.resolver).result

        def result_elements(self, op) -> tuple[str | None, ...] | None:
            """The kinds of the elements of the tuple a call of the user's function
            returns (``returned_elements``)."""
            return self.program.callee_kinds(op.key, self.resolver).elements

        def result_shape(self, op, classes: ShapeClasses) -> Shape | None:
            """The shape of a call's result (``CalleeKinds.shape``) in the caller's
            ``classes``: shape () for a loss, so its seed needs no ``unbroadcast``; its
            arguments' for an elementwise helper, so its value is not kept for its shape."""
            shape = self.program.callee_kinds(op.key, self.resolver).shape
            if shape is None or shape in (ZERO_D, SCALAR):
                return shape
            callee = self.resolver.callee(op.key)
            args = callee.node.args
            bound = dict(zip((a.id for a in args.posonlyargs + args.args), op.args))
            bound.update(op.keywords)
            found: Shape | None = SCALAR
            for param in sorted(shape):
                if param not in bound:  # its default: not an argument of this call
                    return None
                found = classes.combine(found, classes.of(bound[param]))
            return found

        def returned_argument(self, op) -> gast.expr | None:
            """The argument a call of the user's function returns itself (``pick(Ws)``
            with ``return Ws``): the result has its kind."""
            param = self.program.callee_kinds(op.key, self.resolver).argument
            if param is None:
                return None
            callee = self.resolver.callee(op.key)
            args = callee.node.args
            params = [a.id for a in args.posonlyargs + args.args]
            bound = dict(zip(params, op.args)) | dict(op.keywords)
            return bound.get(param)

        def derivative(
            self, qualname: str, wrt: list[str], node: gast.AST, mode: str = "reverse"
        ) -> tuple[str, str | list[str]]:
            """Forward mode: the name of the callee's derivative w.r.t. ``wrt`` and its
            tangent parameters. Reverse mode: its halves (``motion.split_callee``)."""
            program = self.program
            key = (qualname, tuple(wrt), mode)
            if key in program.done:
                return program.done[key]
            callee = self.resolver.callee(qualname)
            if qualname in program.in_progress:
                raise DiffError(
                    "recursive call", f"'{callee.node.name}' calls itself (directly or not): "
                    "recursion is not supported",
                    hint="rewrite the recursion as a loop",
                ).at(node)
            base = derivative_name(callee.node.name, wrt, mode)
            # reverse mode writes `<name>_forward` and `<name>_backward`: those must be free
            # (another derivative in the module may hold the halves of this name)
            suffixes = ("_forward", "_backward") if mode == "reverse" else ()
            name = program.function_names.fresh_stem(base, suffixes)
            position = len(program.callees)  # callees after their caller, as they are called
            program.in_progress.add(qualname)
            try:
                generated = program.generate(
                    callee.module, callee.node, callee.resolver, wrt, name, mode=mode,
                    preserve_result=True,  # reverse: split into halves; forward: run once
                    callee=True,
                )
            except DiffError as error:
                error.at(callee.node, callee.module.path)
                raise error.read_in(callee.module.path, callee.module.lines) from None
            finally:
                program.in_progress.discard(qualname)
            renamed = program.rename_rebound_globals(generated.function, callee.resolver)
            if mode == "forward":
                program.callees.insert(position, generated.function)
            else:
                halves = split_callee(
                    generated.function, generated.seed, generated.namer.fresh("saved")
                )
                program.callees[position:position] = [
                    f for f in (halves.forward, halves.backward) if f
                ]
                program.helpers |= {"copied", "shape_of"}  # restores on copies; shapes saved
            if callee.project is not None:  # another file: bring its names along
                for line in imports_for(
                    generated.function, callee.project, program.module, set(program.helpers),
                    renamed,
                ):
                    if line not in program.imports:
                        program.imports.append(line)
            if mode == "forward":
                seeds = [generated.result.tangents[w] for w in wrt]
                program.done[key] = (name, seeds)
            else:
                program.done[key] = halves
            return program.done[key]

        def checks(self, qualname: str) -> bool:
            return self.program.checks(qualname, self.resolver)

        def halves(self, qualname: str, wrt: list[str], node: gast.AST) -> CalleeHalves:
            """The two halves of the callee's derivative w.r.t. ``wrt`` (reverse mode)."""
            return self.derivative(qualname, wrt, node)


def _imported_as(own: object, name: str) -> object:
    """The binding an import of another file's global ``name`` gives (``from pkg.layers
    import SCALE as layers_SCALE``), when ``own`` is that file's binding of it."""
    if isinstance(own, tuple) and own[0] == "module" and own[1]:
        return ("import", f"{module_name_of(own[1])}.{name}")
    return None


def module_names(module: Module) -> set[str]:
    """The module's global names: a generated local must not shadow any of them (the
    locals of other functions don't matter)."""
    return set(module.imports) | set(module.functions) | set(module.assigned)
