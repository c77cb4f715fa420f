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

from tests.oracle import assert_gradients_match

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


def _program(rng: random.Random, index: int) -> tuple[str, list[tuple[int, ...]]]:
    params = ["x", "w", "v"]
    shapes = [rng.choice(SHAPES) for _ in params]
    names = list(params)
    lines = [f"def f{index}(x, w, v):"]
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
        # sometimes reassign a variable (its shape may grow), sometimes a new one
        target = rng.choice(names[3:]) if len(names) > 3 and rng.random() < 0.3 else f"t{k}"
        lines.append(f"    {target} = {expr}")
        if target not in names:
            names.append(target)
    roll = rng.random()
    y, z, u = rng.choice(names), rng.choice(params), rng.choice(names)
    if roll < 0.3:  # a loop whose variable may change shape on the first trip
        lines += [
            f"    y = {y}",
            f"    for _ in range({rng.randint(1, 3)}):",
            f"        t = np.tanh(y) * {z}",
            f"        y = t + 0.5 * y * np.tanh({u})",
        ]
        names.append("y")
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
    last = names[-1]
    other = rng.choice(names)
    lines.append(f"    return np.sum({last} * {last}) + np.mean({other})")
    return "\n".join(lines) + "\n", shapes


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
    params = ["x", "w", "v"]
    shapes = [rng.choice(SHAPES) for _ in params]
    names = list(params)
    lines = [f"def g{index}(x, w, v):"]
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
    last = names[-1]
    lines.append(f"    return np.sum({last} * {last}) + np.mean({rng.choice(names)})")
    return "\n".join(lines) + "\n", shapes


CASES = list(range(int(os.environ.get("FUZZ_CASES", "48"))))


def _load(index: int, directory) -> tuple:
    """Program ``index``: the even ones use the first grammar, the odd ones the second
    (calls and containers); a program NumPy itself rejects is replaced by the next seed."""
    for attempt in range(20):
        seed = 1000 + index + 100_000 * attempt
        if index % 2 == 0:
            source, shapes = _program(random.Random(seed), index)
            text, name = HEADER + source, f"f{index}"
        else:
            source, shapes = _program_with_calls(random.Random(seed), index)
            text, name = HEADER + CALLS_HEADER + source, f"g{index}"
        path = directory / f"fuzz{index}.py"
        path.write_text(text)
        namespace: dict = {"__name__": f"fuzz{index}"}
        exec(compile(text, str(path), "exec"), namespace)
        values = np.random.default_rng(index)
        args = tuple(
            values.uniform(0.3, 1.2, s) if s else float(values.uniform(0.3, 1.2)) for s in shapes
        )
        try:
            namespace[name](*args)
        except ValueError:  # shapes that do not broadcast in this program
            continue
        return namespace[name], args, source, shapes
    raise AssertionError(f"no valid program for {index}")


@pytest.mark.parametrize("index", CASES)
def test_random_broadcasting_program(index, tmp_path):
    f, args, source, shapes = _load(index, tmp_path)
    try:
        assert_gradients_match(f, args, wrt=(0, 1, 2), rtol=1e-5, atol=1e-6)
    except AssertionError as error:
        raise AssertionError(f"shapes {shapes}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[::2] + CASES[1::4])
def test_forward_mode_of_random_programs(index, tmp_path):
    from tests.oracle import assert_jvp_matches

    f, args, source, shapes = _load(index, tmp_path)
    try:
        assert_jvp_matches(f, args, wrt=(0, 1, 2))
    except AssertionError as error:
        raise AssertionError(f"shapes {shapes}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[::3])
@pytest.mark.parametrize("order", ["forward over reverse", "reverse over reverse"])
def test_second_derivatives_of_random_programs(index, order, tmp_path):
    """Generated gradients are differentiated again: their pops, shape-only reads and
    helpers must keep every tangent (a list the tape pops must carry tangents)."""
    import autograd

    import tangent_lsp
    from tests.oracle import _autograd_version

    f, args, source, shapes = _load(index, tmp_path)
    v = np.random.default_rng(7).normal(size=np.shape(args[0]))
    v = float(v) if np.ndim(args[0]) == 0 else v
    if order == "forward over reverse":
        ours = tangent_lsp.hvp(f, wrt=0)(*args, v)
    else:
        ours = tangent_lsp.vjp(tangent_lsp.grad(f, wrt=(0,)), wrt=(0,))(*args, 1.0, v)
    expected = autograd.hessian_vector_product(_autograd_version(f), 0)(*args, v)
    assert np.allclose(ours, expected, rtol=1e-5, atol=1e-6), f"shapes {shapes}\n{source}"
