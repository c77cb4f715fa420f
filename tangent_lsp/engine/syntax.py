"""Small helpers to build and inspect gast trees, so the stages read like the math."""

from __future__ import annotations

from typing import Iterator

import gast


_LOAD, _STORE = gast.Load(), gast.Store()  # contexts carry nothing: shared


def _node(cls, fields: dict):
    """A node without gast's argument checking, which is most of the cost of building
    one; the engine builds tens of thousands per long function."""
    node = cls.__new__(cls)
    node.__dict__ = fields
    return node


def name(identifier: str, store: bool = False) -> gast.Name:
    return _node(gast.Name, {
        "id": identifier, "ctx": _STORE if store else _LOAD, "annotation": None,
        "type_comment": None,
    })


def constant(value: object) -> gast.Constant:
    return _node(gast.Constant, {"value": value, "kind": None})


def assign(target: str | gast.expr, value: gast.expr) -> gast.Assign:
    if isinstance(target, str):
        target = name(target, store=True)
    return _node(gast.Assign, {"targets": [target], "value": value, "type_comment": None})


def attribute(value: gast.expr, attr: str) -> gast.Attribute:
    return _node(gast.Attribute, {"value": value, "attr": attr, "ctx": _LOAD})


def dotted(path: str) -> gast.expr:
    """``"np.linalg.inv"`` → the attribute chain that spells it."""
    first, *rest = path.split(".")
    node: gast.expr = name(first)
    for part in rest:
        node = attribute(node, part)
    return node


def call(func: str | gast.expr, args: list[gast.expr], keywords: dict | None = None) -> gast.Call:
    if isinstance(func, str):
        func = dotted(func)
    kws = [_node(gast.keyword, {"arg": k, "value": v}) for k, v in (keywords or {}).items()]
    return _node(gast.Call, {"func": func, "args": list(args), "keywords": kws})


def binop(left: gast.expr, op: gast.operator, right: gast.expr) -> gast.BinOp:
    return _node(gast.BinOp, {"left": left, "op": op, "right": right})


def same(a: gast.AST, b: gast.AST) -> bool:
    """Structurally equal expressions built from names, numbers, operators, attributes
    and calls (of anything but ``random`` functions: equal calls give equal values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, gast.Name):
        return a.id == b.id
    if isinstance(a, gast.Constant):
        return a.value == b.value and type(a.value) is type(b.value)
    if isinstance(a, gast.BinOp):
        return type(a.op) is type(b.op) and same(a.left, b.left) and same(a.right, b.right)
    if isinstance(a, gast.UnaryOp):
        return type(a.op) is type(b.op) and same(a.operand, b.operand)
    if isinstance(a, gast.Attribute):
        return a.attr == b.attr and same(a.value, b.value)
    if isinstance(a, gast.Call):
        return (
            "random" not in (dotted_name(a.func) or "random")
            and same(a.func, b.func)
            and len(a.args) == len(b.args) and all(map(same, a.args, b.args))
            and [k.arg for k in a.keywords] == [k.arg for k in b.keywords]
            and all(same(k.value, m.value) for k, m in zip(a.keywords, b.keywords))
        )
    return False


def number_literal(node: gast.AST) -> float | int | bool | None:
    """The value of a number written in the code (``2.0``, ``-1``), else None."""
    cls = node.__class__  # by identity, not isinstance: asked of every operand, often
    if cls is gast.Constant and type(node.value) in (int, float, bool):
        return node.value
    if cls is gast.UnaryOp and node.op.__class__ is gast.USub:
        inner = number_literal(node.operand)
        return -inner if inner is not None else None
    return None


def negated(test: gast.expr) -> gast.expr:
    """``not test``, or the operand of a test that is a ``not`` already."""
    if isinstance(test, gast.UnaryOp) and isinstance(test.op, gast.Not):
        return test.operand
    return gast.UnaryOp(op=gast.Not(), operand=test)


def dotted_name(node: gast.AST) -> str | None:
    """``np.linalg.inv`` → ``"np.linalg.inv"``; None for anything that is not a plain chain."""
    if node.__class__ is gast.Name:  # a plain name: most calls (classes, not isinstance)
        return node.id
    parts = []
    while node.__class__ is gast.Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not gast.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


_CONTEXT_CLASSES = frozenset((gast.Load, gast.Store, gast.Del, gast.Param))
# Every node class, for class-identity tests in the tight loops below (a set lookup is
# several times cheaper than isinstance). Contexts are left out: they carry nothing.
_NODE_CLASSES = frozenset(
    c for c in vars(gast).values()
    if isinstance(c, type) and issubclass(c, gast.AST) and c not in _CONTEXT_CLASSES
)


# Per node class, the fields that may hold nodes (the others hold names, numbers,
# flags): the tight loops below read only those.
_SCALAR_FIELDS = frozenset(
    "ctx id attr arg asname conversion is_async kind level module name simple tag "
    "type_comment str".split()
)
_CHILDREN = {
    c: tuple(f for f in c._fields if f not in _SCALAR_FIELDS)
    for c in _NODE_CLASSES
}
_CHILDREN[gast.Constant] = ()  # its value is a Python object, never a node
CHILD_FIELDS = _CHILDREN  # for the tight loops of other modules
_OPERATOR_NAMES = frozenset(
    c.__name__ for c in _NODE_CLASSES
    if issubclass(c, (gast.operator, gast.unaryop, gast.boolop, gast.cmpop))
)
# Operators (``Add()``) have no fields: no Name is ever below them.
_NAME_CHILDREN = {
    c: tuple(f for f in fields if f not in ("op", "ops")) for c, fields in _CHILDREN.items()
}


def walk(node) -> Iterator[gast.AST]:
    """Every node of a tree (or list of trees), contexts left out. Faster than
    ``ast.walk``: it reads only the fields that can hold nodes, straight from the
    nodes' ``__dict__``, and the engine walks trees a great many times."""
    children = _CHILDREN
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
            continue
        fields = children.get(cls)
        if fields is None:
            continue  # a context, a string, None
        yield item
        values = item.__dict__
        for field in fields:
            value = values.get(field)
            if value is not None:
                stack.append(value)


def nodes_of(node, cls: type) -> list:
    """Every node of class ``cls`` in a tree (or list of trees), in no particular order."""
    return nodes_of_any(node, (cls,))


def nodes_of_any(node, classes: tuple[type, ...]) -> list:
    """Every node of one of ``classes`` in a tree (or list of trees), in no particular
    order: one walk where ``nodes_of`` would take one per class."""
    children = _CHILDREN
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        kind = item.__class__
        if kind is list:
            stack.extend(item)
            continue
        if kind in classes:
            found.append(item)
        fields = children.get(kind)
        if fields:
            values = item.__dict__
            for field in fields:
                value = values.get(field)
                if value is not None:
                    stack.append(value)
    return found


def size(node) -> int:
    """How many nodes a tree has, each ``Load``/``Store`` context counted as one more."""
    return name_summary(node)[2]


def names(node) -> list[gast.Name]:
    """Every Name node in a tree, in no particular order (a tight loop: the engine's
    passes ask this for every statement, many times)."""
    children = _NAME_CHILDREN
    name = gast.Name
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
        elif cls is name:
            found.append(item)
        else:
            fields = children.get(cls)
            if fields:
                values = item.__dict__
                for field in fields:
                    value = values.get(field)
                    if value is not None:
                        stack.append(value)
    return found


def read_as_arrays(node) -> set[str]:
    """Names a tree reads as arrays (``xs.shape``, ``x.ndim``, ``W.T``, ``X[i, j]``): no
    list or tuple has those."""
    found = set()
    for item in walk(node):
        if item.__class__ is gast.Attribute and item.attr in ("shape", "ndim", "T") and (
            item.value.__class__ is gast.Name
        ):
            found.add(item.value.id)
        elif item.__class__ is gast.Subscript and item.value.__class__ is gast.Name and (
            item.slice.__class__ is gast.Tuple
        ):
            found.add(item.value.id)
    return found


def bound_names(node) -> set[str]:
    """The identifiers of every Name in a tree not read (stored into, deleted, a
    parameter)."""
    return {n.id for n in names(node) if n.ctx.__class__ is not gast.Load}


def calls_any(node, functions: frozenset[str]) -> bool:
    """Whether a tree calls one of ``functions`` by its plain name (``unbroadcast(...)``):
    a pass that rewrites only those calls skips the statements that have none. A tight
    loop, not ``walk``: asked of every statement by three passes (a generator costs 4%
    of a whole derivation, counted with scripts/instructions.sh)."""
    children = _NAME_CHILDREN  # operators hold no call
    call, name = gast.Call, gast.Name
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
            continue
        if cls is call and item.func.__class__ is name and item.func.id in functions:
            return True
        fields = children.get(cls)
        if fields:
            values = item.__dict__
            for field in fields:
                value = values.get(field)
                # a name holds no call (but in a parameter's annotation): not pushed
                if value is not None and (value.__class__ is not name or value.annotation is not None):
                    stack.append(value)
    return False


def contains(node, classes: tuple[type, ...]) -> bool:
    """Whether a tree (or list of trees) has a node of one of ``classes`` (a tight loop,
    as ``nodes_of``: asked of whole functions)."""
    children = _CHILDREN
    stack = [node]
    while stack:
        item = stack.pop()
        kind = item.__class__
        if kind is list:
            stack.extend(item)
            continue
        fields = children.get(kind)
        if fields is None:
            continue  # a context, a string, None: not a node `walk` gives
        if kind in classes:
            return True
        values = item.__dict__
        for field in fields:
            value = values.get(field)
            if value is not None:
                stack.append(value)
    return False


def classes_in(node) -> set[type]:
    """The classes of the nodes of a tree (or list of trees): one walk answers several
    ``contains`` questions (normalization asks three of the user's function)."""
    children = _CHILDREN
    found = set()
    stack = [node]
    while stack:
        item = stack.pop()
        kind = item.__class__
        if kind is list:
            stack.extend(item)
            continue
        fields = children.get(kind)
        if fields is None:
            continue  # a context, a string, None: not a node `walk` gives
        found.add(kind)
        values = item.__dict__
        for field in fields:
            value = values.get(field)
            if value is not None:
                stack.append(value)
    return found


def name_summary(node) -> tuple[dict[str, int], set[str], int, set[str]]:
    """In one traversal: how often each name is read, the names stored into,
    ``size(node)``, and the lists popped from (``xs`` in ``xs.pop()``): propagation
    asks all four of every statement."""
    children = _CHILDREN
    name, call, attribute = gast.Name, gast.Call, gast.Attribute
    load, store = gast.Load, gast.Store
    loads: dict[str, int] = {}
    stores: set[str] = set()
    popped: set[str] = set()
    count = 0
    stack = [node]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is list:
            stack.extend(item)
            continue
        if cls is name:
            count += 2
            context = item.ctx.__class__
            if context is load:
                loads[item.id] = loads.get(item.id, 0) + 1
            elif context is store:
                stores.add(item.id)
            if item.annotation is not None:
                stack.append(item.annotation)
            continue
        if cls is call:
            func = item.func
            if func.__class__ is attribute and func.attr == "pop" and func.value.__class__ is name:
                popped.add(func.value.id)
        fields = children.get(cls)
        if fields is None:
            continue
        values = item.__dict__
        count += 2 if "ctx" in values else 1
        for field in fields:
            value = values.get(field)
            if value is not None:
                stack.append(value)
    return loads, stores, count, popped


COMPOUND = (gast.If, gast.For, gast.While)  # the statements that hold blocks
_COMPOUND_CLASSES = frozenset(COMPOUND)


def statements(body: list[gast.stmt]) -> Iterator[gast.stmt]:
    """Every statement of a block and of the blocks nested in it (``if``/``for``/``while``)."""
    for stmt in body:
        yield stmt
        if stmt.__class__ in _COMPOUND_CLASSES:  # a set lookup: cheaper than isinstance
            yield from statements(stmt.body)
            yield from statements(stmt.orelse)


def loaded_names(node: gast.AST) -> list[str]:
    """Every name read inside ``node``."""
    if node.__class__ is gast.Name:  # most often asked of an operand or a target
        return [node.id] if node.ctx.__class__ is gast.Load else []
    return [sub.id for sub in names(node) if sub.ctx.__class__ is gast.Load]


def all_names(node: gast.AST) -> set[str]:
    return {sub.id for sub in names(node)}


def stored_names(target: gast.AST) -> list[str]:
    if target.__class__ is gast.Name:  # most often asked of a plain target
        return [target.id] if target.ctx.__class__ is gast.Store else []
    return [sub.id for sub in names(target) if sub.ctx.__class__ is gast.Store]


def clone(node):
    """A deep copy of a tree (or a list of trees), with every attribute the stages
    attach (positions, tape pairs: numbers, copied as they are); several times faster
    than ``copy.deepcopy``, which the engine calls a lot. Only the fields that can
    hold nodes are copied deeply; contexts (``Load()``) are shared: nothing changes
    them in place."""
    cls = node.__class__
    fields = _CHILDREN.get(cls)
    if fields is not None:
        new = cls.__new__(cls)
        values = node.__dict__.copy()
        for key in fields:
            value = values.get(key)
            if value is not None:
                kind = value.__class__
                if kind is list:
                    values[key] = [clone(item) for item in value]
                elif kind in _CHILDREN:
                    values[key] = clone(value)
        new.__dict__ = values
        return new
    if cls is list:
        return [clone(item) for item in node]
    return node  # str, numbers, None, Ellipsis, contexts: never changed in place




def _unchanged(transformer, node):
    return node


def _name_unchanged(transformer, node):
    """A name has no children but, for a parameter, an annotation."""
    return node if node.annotation is None else transformer.generic_visit(node)


class Transformer:
    """``gast.NodeTransformer`` with the same protocol (``visit_<Class>`` methods,
    ``generic_visit``, None deletes, a list splices), several times faster: the
    method for each node class is looked up once per transformer class, children are
    read from the node's ``__dict__``, and lists are updated in place. The optimizer's
    passes run it over every tree, repeatedly."""

    _dispatch: dict = {}
    # The fields visited: not the operators (``BinOp.op``), which have no children and
    # are left as they are unless a subclass visits them.
    _children: dict = _NAME_CHILDREN

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._dispatch = {}
        # (the passes define their transformers inside functions: this runs at every call)
        visits_operators = any(
            attribute[6:] in _OPERATOR_NAMES
            for klass in cls.__mro__[: cls.__mro__.index(Transformer)]
            for attribute in vars(klass) if attribute.startswith("visit_")
        )
        cls._children = _CHILDREN if visits_operators else _NAME_CHILDREN

    def _method(self, node_class):
        method = getattr(self.__class__, "visit_" + node_class.__name__, None)
        if method is None:
            if not _CHILDREN.get(node_class):
                method = _unchanged  # a constant or an operator: nothing below it
            elif node_class is gast.Name:
                method = _name_unchanged
            else:
                method = self.__class__.generic_visit
        self._dispatch[node_class] = method
        return method

    def visit(self, node):
        method = self._dispatch.get(node.__class__) or self._method(node.__class__)
        return method(self, node)

    def generic_visit(self, node):
        nodes, dispatch = _NODE_CLASSES, self._dispatch
        fields = node.__dict__
        for key in self._children[node.__class__]:
            value = fields.get(key)
            cls = value.__class__
            if cls is list:
                special = None
                for index, item in enumerate(value):
                    if item.__class__ in nodes:
                        method = dispatch.get(item.__class__) or self._method(item.__class__)
                        if method is _unchanged or (
                            method is _name_unchanged and item.annotation is None
                        ):
                            continue  # what the call would do (names are most nodes)
                        new = method(self, item)
                        if new is not item:
                            if new.__class__ in nodes:
                                value[index] = new
                            else:  # None deletes, a list splices: rebuilt below
                                special = special or {}
                                special[index] = new
                if special:
                    rebuilt = []
                    for index, item in enumerate(value):
                        if index not in special:
                            rebuilt.append(item)
                        elif special[index] is not None:
                            rebuilt.extend(special[index])
                    value[:] = rebuilt
            elif cls in nodes:
                method = dispatch.get(cls) or self._method(cls)
                if method is _unchanged or (
                    method is _name_unchanged and value.annotation is None
                ):
                    continue  # what the call would do (names are most nodes)
                fields[key] = method(self, value)
        return node


def _itself(node):
    return node


def substitute(node: gast.AST, mapping: dict[str, gast.expr], moved: bool = False) -> gast.AST:
    """Replace the names ``node`` reads by the expressions ``mapping`` gives them (each
    use gets its own copy; the copies are not searched again). A tight loop rather
    than a transformer: propagation calls it for every value it inlines. ``moved``:
    each name is read once and its expression is referenced nowhere else, so the
    expression itself goes in its place, not a copy."""
    copy = _itself if moved else clone
    if node.__class__ is gast.Name:
        if node.id in mapping and node.ctx.__class__ is gast.Load:
            return copy(mapping[node.id])
        return node
    nodes, children = _NODE_CLASSES, _NAME_CHILDREN  # operators hold no name
    stack = [node]
    while stack:
        item = stack.pop()
        fields = item.__dict__
        for key in children.get(item.__class__, ()):
            value = fields.get(key)
            cls = value.__class__
            if cls is gast.Name:
                if value.id in mapping and value.ctx.__class__ is gast.Load:
                    fields[key] = copy(mapping[value.id])
            elif cls is list:
                for index, element in enumerate(value):
                    if element.__class__ is gast.Name:
                        if element.id in mapping and element.ctx.__class__ is gast.Load:
                            value[index] = copy(mapping[element.id])
                    elif element.__class__ in nodes:
                        stack.append(element)
            elif cls in nodes:
                stack.append(value)
    return node


COMMENT_PREFIX = "__tangent_lsp_comment__:"


def comment(text: str, primal_line: int | None = None) -> gast.Expr:
    """A statement that ``emit`` prints as ``# text`` (the AST has no comments)."""
    line = "" if primal_line is None else str(primal_line)
    return gast.Expr(value=constant(f"{COMMENT_PREFIX}{line}:{text}"))


def comment_text(stmt: gast.stmt) -> str | None:
    # classes compared by identity: the passes ask this of every statement to find the
    # boundary, and most statements are assignments
    if stmt.__class__ is not gast.Expr or stmt.value.__class__ is not gast.Constant:
        return None
    text = stmt.value.value
    if isinstance(text, str) and text.startswith(COMMENT_PREFIX):
        return text
    return None


BOUNDARY = "Beginning of backward pass"


def boundary() -> gast.Expr:
    """Marks where the forward sweep ends; split motion cuts the function there."""
    return comment(BOUNDARY)


def is_boundary(stmt: gast.stmt) -> bool:
    text = comment_text(stmt)
    return text is not None and text.endswith(":" + BOUNDARY)


def is_repeated_constants(value: gast.expr) -> bool:
    """``[None] * n``, ``n * [0.0]``: a list of constants repeated."""
    if value.__class__ is not gast.BinOp or not isinstance(value.op, gast.Mult):
        return False
    return any(
        isinstance(side, gast.List) and all(isinstance(e, gast.Constant) for e in side.elts)
        for side in (value.left, value.right)
    )
