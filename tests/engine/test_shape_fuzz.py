"""Random programs over arrays that broadcast against each other, differentiated and
checked against autograd: the optimizer's shape reasoning (``shapes.py``,
``flow_shapes.py``, the passes that drop ``unbroadcast`` or let NumPy spread an
adjoint) must never assume two shapes are equal when they are not.

The programs are generated from a fixed seed, so a failure reproduces; the
failing program's source is in the assertion message.
"""

import os
import random

import numpy as np
import pytest

from tests.oracle import ORDERS, assert_gradients_match, gradient_change, second_derivative

# Shapes that broadcast against each other (to (2, 3) at most).
SHAPES = [(), (3,), (1, 3), (2, 1), (2, 3)]

UNARY = ["np.sin({a})", "np.tanh({a})", "np.exp(-{a} * {a})", "np.sqrt({a} * {a} + 1.0)"]
BINARY = [
    "{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / (1.5 + {b} * {b})", "0.5 * {a} + {b}",
    "{a} * np.cos({b})",
]
# Products with module constants (Z broadcasts anything to (2, 3)): matrix adjoints, inner
# products, x.T @ x, values read only for their shape.
MATMUL = [
    "({a} + Z) @ M", "np.tanh(({a} + Z) @ M) * {b}", "np.sum({a} + Z, axis=0) @ M",
    "np.sum({a} + Z, axis=0) @ np.sum({b} + Z, axis=0)",
    "0.5 * (np.sum({a} + Z, axis=0).T @ np.sum({a} + Z, axis=0))",
    "np.sum(({a} + Z).T @ ({a} + Z), axis=0)",
]
HEADER = (
    "import numpy as np\n\nZ = np.zeros((2, 3))\nM = np.linspace(-1.0, 1.0, 9).reshape(3, 3)\n\n\n"
)
REDUCE = [
    "np.sum({a}, axis=-1, keepdims=True)", "np.max({a}, axis=-1, keepdims=True)",
    "np.mean({a})", "{a} - np.max({a}, axis=-1, keepdims=True)",
]


def _start(rng: random.Random, shapes: list, prefix: str, index: int) -> tuple:
    """The parameters, their shapes, the names defined so far and the first line."""
    params = ["x", "w", "v"]
    return params, [rng.choice(shapes) for _ in params], list(params), [
        f"def {prefix}{index}(x, w, v):"
    ]


def _finish(rng: random.Random, lines: list[str], names: list[str]) -> str:
    """A scalar result that reads the last value and one other."""
    last = names[-1]
    lines.append(f"    return np.sum({last} * {last}) + np.mean({rng.choice(names)})")
    return "\n".join(lines) + "\n"


def _program(rng: random.Random, index: int) -> tuple[str, list[tuple[int, ...]]]:
    params, shapes, names, lines = _start(rng, SHAPES, "f", index)
    for k in range(rng.randint(3, 7)):
        a, b = rng.choice(names), rng.choice(names)
        roll = rng.random()
        if roll < 0.06:  # a vector, then the quadratic form of a vector, as least squares has
            lines.append(f"    r{k} = np.sum({a} + Z, axis=0) - 0.5 * np.sum({b} + Z, axis=0)")
            expr = rng.choice(["0.5 * (r{k}.T @ r{k})", "r{k} @ r{k} + {b}"]).format(k=k, b=b)
        elif roll < 0.12:
            expr = rng.choice(MATMUL).format(a=a, b=b)
        elif roll < 0.3:
            expr = rng.choice(UNARY).format(a=a)
        elif roll < 0.8:
            expr = rng.choice(BINARY).format(a=a, b=b)
        else:
            expr = rng.choice(REDUCE).format(a=a)
        # sometimes reassign a variable or a parameter (its shape may grow), mostly a new one
        roll = rng.random()
        if roll < 0.1:
            target = rng.choice(params)
        elif roll < 0.35 and len(names) > 3:
            target = rng.choice(names[3:])
        else:
            target = f"t{k}"
        lines.append(f"    {target} = {expr}")
        if target not in names:
            names.append(target)
    roll = rng.random()
    y, z, u = rng.choice(names), rng.choice(params), rng.choice(names)
    if roll < 0.3:  # a loop whose variable may change shape on the first trip
        carried = rng.choice(["y", "y", rng.choice(params)])  # a parameter, sometimes
        lines += [f"    y = {y}"] if carried == "y" else []
        lines += [
            f"    for _ in range({rng.randint(1, 3)}):",
            f"        t = np.tanh({carried}) * {z}",
            f"        {carried} = t + 0.5 * {carried} * np.tanh({u})",
        ]
        names.append(carried)
    elif roll < 0.5:  # a while loop with a temporary read for its shape
        lines += [
            f"    y = {y}",
            "    k = 0",
            "    while k < 2:",
            "        s = np.sin(y)",
            f"        y = 1.5 * y + {z} * s",
            "        k += 1",
        ]
        names.append("y")
    elif roll < 0.65:  # a branch that reassigns
        lines += [
            f"    y = {y} * 1.0",
            f"    if np.sum({z}) > 1.0:",
            f"        y = y * {u}",
            "    else:",
            f"        y = y + np.cos({z})",
        ]
        names.append("y")
    return _finish(rng, lines, names), shapes


CALLS_HEADER = '''
def helper(a, b):
    c = np.tanh(a) * b
    return c + 0.5 * a


def pair(a, b):
    return a * b, a + np.sin(b)


'''


def _program_with_calls(rng: random.Random, index: int) -> tuple[str, list[tuple[int, ...]]]:
    """Calls of the module's own functions, lists (append, pop, index), dicts, and loops
    that keep their states in a list or stop early."""
    params, shapes, names, lines = _start(rng, SHAPES, "g", index)
    for k in range(rng.randint(3, 6)):
        a, b = rng.choice(names), rng.choice(names)
        roll = rng.random()
        if roll < 0.15:
            expr = f"helper({a}, {b})"
        elif roll < 0.25:
            lines.append(f"    p{k}, q{k} = pair({a}, {b})")
            expr = f"p{k} * q{k}"
        elif roll < 0.35:
            lines += [
                f"    xs{k} = []", f"    xs{k}.append({a} * 2.0)",
                f"    xs{k}.append(np.floor({b}))", f"    xs{k}.append(np.sin({b}))",
            ]
            expr = rng.choice(
                [f"xs{k}[0] * xs{k}[2]", f"xs{k}.pop() + xs{k}.pop() * xs{k}[0]", f"sum(xs{k})"]
            )
        elif roll < 0.42:
            lines.append(f"    d{k} = {{'a': {a}, 'b': {b}}}")
            expr = f"d{k}['a'] * np.cos(d{k}['b'])"
        elif roll < 0.6:
            expr = rng.choice(UNARY).format(a=a)
        else:
            expr = rng.choice(BINARY).format(a=a, b=b)
        lines.append(f"    t{k} = {expr}")
        names.append(f"t{k}")
    roll = rng.random()
    y, z, u = rng.choice(names), rng.choice(params), rng.choice(names)
    if roll < 0.35:
        lines += [
            f"    y = {y}", "    for i in range(4):", f"        y = np.tanh(y) * {z} + 0.5 * y",
            f"        if np.sum(y) > {rng.uniform(-1, 3):.2f}:", "            break",
        ]
        names.append("y")
    elif roll < 0.6:
        lines += [
            "    acc = []", f"    y = {y}", "    for i in range(3):",
            f"        y = y * np.tanh({u}) + {z}", "        acc.append(y)",
            "    y = acc[-1] + acc[0] * acc[1]",
        ]
        names.append("y")
    return _finish(rng, lines, names), shapes


NUMPY_HEADER = '''
def two(a, b):
    return a * b, np.sin(a) + b


'''
MORE_UNARY = [
    "np.abs({a})", "np.maximum({a}, 0.2)", "np.clip({a}, 0.3, 1.0)",
    "np.where({a} > 0.6, {a}, 0.5 * {a})", "{a}.T.T * 1.0", "np.tanh({a}) ** 2",
    "np.log(1.0 + {a} * {a})", "{a} ** 0.5", "np.exp({a}) / np.sum(np.exp({a}))",
    "{a} / np.linalg.norm({a})", "np.sqrt({a})",
    "{a} * (({a} > 0.2) & ({a} < 1.5))", "np.where(({a} > 0.9) | ~({a} > 0.1), {a}, 0.5)",
    "{a} * np.linalg.norm({a}, 3)", "np.prod(1.0 + 0.2 * {a}, axis=-1, keepdims=True)",
]
MORE_BINARY = ["{a} * {b}", "{a} + {b}", "{a} - 2.0 * {b}", "np.maximum({a}, {b})"]
MORE_REDUCE = [
    "{a}.sum(axis=-1, keepdims=True)", "{a}.mean()", "np.sum({a} ** 2, axis=-1, keepdims=True)",
    "np.max({a}, axis=-1, keepdims=True)", "np.min({a})",
]
SLICES = [
    "{a}[..., 0:1] * {b}", "{a}[..., ::-1] + {b}",
    "np.concatenate([{a}[..., :1], {b}[..., 1:]], axis=-1)",
]


def _program_with_numpy(rng: random.Random, index: int) -> tuple[str, list[tuple[int, ...]]]:
    """More NumPy (clip, where, masks, norms, prod, slices, concatenate), augmented assignment, a
    while loop that may break, nested loops with continue, and early returns."""
    params, shapes, names, lines = _start(rng, [(3,), (2, 3), (1, 3)], "h", index)
    for k in range(rng.randint(3, 6)):
        a, b = rng.choice(names), rng.choice(names)
        roll = rng.random()
        if roll < 0.3:
            expr = rng.choice(MORE_UNARY).format(a=a)
        elif roll < 0.6:
            expr = rng.choice(MORE_BINARY).format(a=a, b=b)
        elif roll < 0.75:
            expr = rng.choice(MORE_REDUCE).format(a=a)
        elif roll < 0.88:
            expr = rng.choice(SLICES).format(a=a, b=b)
        else:
            lines.append(f"    p{k}, q{k} = two({a}, {b})")
            expr = f"p{k} - q{k}"
        lines.append(f"    t{k} = {expr}")
        names.append(f"t{k}")
        if rng.random() < 0.2:
            lines.append(f"    t{k} {rng.choice(['+=', '*=', '-='])} {rng.choice(names)} * 0.5")
    y, z = rng.choice(names), rng.choice(params)
    roll = rng.random()
    if roll < 0.25:
        lines += [
            f"    y = {y} * 1.0", "    n = 0", "    while np.sum(np.abs(y)) < 20.0 and n < 6:",
            f"        y = y * 1.3 + np.sin({z})", "        n += 1",
            "        if np.max(y) > 8.0:", "            break",
        ]
        names.append("y")
    elif roll < 0.45:
        lines += [
            f"    y = {y} * 1.0", "    for i in range(2):", "        for j in range(2):",
            f"            if np.sum(y) > {rng.uniform(0, 3):.2f}:",
            f"                y = y * np.cos({z})", "            else:", "                continue",
            f"            y = y + 0.1 * {z}",
        ]
        names.append("y")
    elif roll < 0.6:
        lines += [
            f"    if np.mean({y}) > 0.7:", f"        return np.sum({y} * {z})",
            f"    elif np.mean({z}) > 0.5:", f"        return np.sum(np.sin({y}))",
        ]
    return _finish(rng, lines, names), shapes


CASES = list(range(int(os.environ.get("FUZZ_CASES", "48"))))


def _load(index: int, directory) -> tuple:
    """Program ``index``, from one of three grammars in turn (broadcasting, calls and
    containers, more NumPy and control flow); a program NumPy itself rejects (or that
    overflows) is replaced by the next seed."""
    for attempt in range(20):
        seed = 1000 + index + 100_000 * attempt
        if index % 3 == 0:
            source, shapes = _program(random.Random(seed), index)
            text, name = HEADER + source, f"f{index}"
        elif index % 3 == 1:
            source, shapes = _program_with_calls(random.Random(seed), index)
            text, name = HEADER + CALLS_HEADER + source, f"g{index}"
        else:
            source, shapes = _program_with_numpy(random.Random(seed), index)
            text, name = HEADER + NUMPY_HEADER + source, f"h{index}"
        path = directory / f"fuzz{index}.py"
        path.write_text(text)
        namespace: dict = {"__name__": f"fuzz{index}"}
        exec(compile(text, str(path), "exec"), namespace)
        values = np.random.default_rng(index)
        args = tuple(
            values.uniform(0.3, 1.2, s) if s else float(values.uniform(0.3, 1.2)) for s in shapes
        )
        try:
            with np.errstate(all="raise"):
                value = namespace[name](*args)
        except (ValueError, IndexError, FloatingPointError):  # shapes, a 0-d slice, overflow
            continue
        if not np.isfinite(value):
            continue
        return namespace[name], args, source, shapes
    raise AssertionError(f"no valid program for {index}")


def _check(assertion, f, args, wrt=(0, 1, 2), **options) -> None:
    """Against finite differences and autograd; finite differences alone where autograd
    cannot follow the program (in-place `+=` on its arrays, for one)."""
    try:
        assertion(f, args, wrt=wrt, **options)
    except AssertionError as error:
        if "autograd cannot" not in str(error):
            raise
        assertion(f, args, wrt=wrt, autograd=False, **options)


@pytest.mark.parametrize("index", CASES)
def test_random_broadcasting_program(index, tmp_path):
    f, args, source, shapes = _load(index, tmp_path)
    try:
        _check(assert_gradients_match, f, args, rtol=1e-5, atol=1e-6)
    except AssertionError as error:
        raise AssertionError(f"shapes {shapes}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[::2] + CASES[1::4])
def test_forward_mode_of_random_programs(index, tmp_path):
    from tests.oracle import assert_jvp_matches

    f, args, source, shapes = _load(index, tmp_path)
    try:
        _check(assert_jvp_matches, f, args)
    except AssertionError as error:
        raise AssertionError(f"shapes {shapes}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[1::2])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_one_argument_of_random_programs(index, mode, tmp_path):
    """Differentiating with respect to one argument: the others carry no derivative (no
    adjoint is computed for them, their tangents start at zero where they become active)."""
    from tests.oracle import assert_jvp_matches

    f, args, source, shapes = _load(index, tmp_path)
    assertion = assert_gradients_match if mode == "reverse" else assert_jvp_matches
    try:
        _check(assertion, f, args, wrt=(index % 3,))
    except AssertionError as error:
        raise AssertionError(f"wrt {index % 3}, shapes {shapes}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[::3] + CASES[1::6] + CASES[2::6])
@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives_of_random_programs(index, order, tmp_path):
    """Generated derivatives are differentiated again, in the four orders: their pops,
    shape-only reads and helpers must keep every tangent (a list the tape pops must carry
    tangents). The reference is the central difference of the gradient (checked above)."""
    f, args, source, shapes = _load(index, tmp_path)
    rng = np.random.default_rng(7)
    t, u = rng.normal(size=np.shape(args[0])), rng.normal(size=np.shape(args[0]))
    expected = np.sum(t * gradient_change(f, args, 0, 0, u, step=1e-5))
    ours = second_derivative(order, f, args, 0, 0, t, u)
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-5), f"shapes {shapes}\n{source}"
