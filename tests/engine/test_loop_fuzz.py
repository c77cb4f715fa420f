"""Random programs that loop over indices and write arrays element by element, checked
in reverse mode, forward mode and the four second-order orders.

``test_shape_fuzz.py`` varies shapes and NumPy functions; these vary what loops do
to arrays: element, row, column and sliding-slice writes, ``enumerate``, ``zip``,
iteration over a matrix's rows, ``reversed(range(...))``, branches on elements,
states kept in a list and stacked, a ``while`` with a data-dependent stop, ``break``,
``continue`` and ``return`` inside loops, and (odd
programs mostly) calls of the module's own functions, inside loops and branches too.
The normalized code reads slices through views (``o_i = o[i:t]``) that a later write
changes: the optimizer must never move a read of a view past a write into its array.

The programs come from fixed seeds; a failure shows the program's source.
"""

import os
import random

import numpy as np
import pytest

from tests.oracle import (
    ORDERS, assert_gradients_match, assert_jvp_matches, assert_second_derivative_matches,
)

HEADER = '''import numpy as np


def helper(a, b):
    return np.tanh(a) * b + 0.5 * a


def affine(v, M, b=0.5):
    return M @ v + b


def gate(v, t):
    if np.sum(v) > t:
        return np.tanh(v) * t
    return v * v + t


def unroll(v, M, n=2):
    h = v
    for _ in range(n):
        h = np.tanh(affine(h, M))
    return h


def pair(v, c):
    return v * c, np.sum(np.sin(v)) + c


def acc_list(v, c):
    xs = []
    for i in range(3):
        xs.append(v[i] * c + np.cos(v[i]))
    return xs[0] * xs[1] + xs[2]


'''


def _block(rng: random.Random, k: int, v: str, m: str, c: str, vectors: list[str]) -> tuple:
    """One loop (or statement) that defines a new value: its lines, its name and its kind
    (``v`` vector of 3, ``m`` 3x3 matrix, ``c`` number)."""
    element = rng.choice([f"np.sin({v}[i]) * {c}", f"{v}[i] * {m}[i, i]", f"helper({v}[i], {c})"])
    blocks = [
        ([f"    o{k} = np.zeros(3)", "    for i in range(3):", f"        o{k}[i] = {element}"],
         f"o{k}", "v"),
        ([f"    a{k} = np.zeros(3)", f"    for row in {m}:",
          f"        a{k} = a{k} + np.tanh(row) * {v}"], f"a{k}", "v"),
        ([f"    c{k} = 0.0", f"    for i, e in enumerate({v}):",
          f"        c{k} = c{k} + e * e * {m}[i, 0]"], f"c{k}", "c"),
        ([f"    c{k} = {c}", f"    for e, g in zip({v}, {rng.choice(vectors)}):",
          f"        c{k} = c{k} * 0.5 + np.sin(e) * g"], f"c{k}", "c"),
        ([f"    o{k} = {v} * 1.0", "    for i in range(3):", f"        if {v}[i] > 0.6:",
          f"            o{k}[i] = o{k}[i] * {c}", "        else:",
          f"            o{k}[i] += np.cos({v}[i])"], f"o{k}", "v"),
        ([f"    M{k} = np.zeros((3, 3))", "    for i in range(3):",
          f"        M{k}[i, :] = {m}[i, :] * {v}[i] + {c}"], f"M{k}", "m"),
        ([f"    M{k} = {m} * 1.0", "    for j in range(3):",
          f"        M{k}[:, j] = np.tanh(M{k}[:, j]) * {v}"], f"M{k}", "m"),
        ([f"    hs{k} = []", f"    h = {v}", "    for i in range(3):",
          f"        h = np.tanh({m} @ h + {v}[i])", f"        hs{k}.append(h)",
          f"    M{k} = np.stack(hs{k})"], f"M{k}", "m"),
        ([f"    c{k} = {c}", "    for i in reversed(range(3)):",
          f"        c{k} = np.sin(c{k}) + {v}[i] * c{k}"], f"c{k}", "c"),
        ([f"    M{k} = np.zeros((3, 3))", "    for i in range(3):", "        for j in range(3):",
          f"            M{k}[i, j] = {m}[i, j] * {v}[j] - {v}[i]"], f"M{k}", "m"),
        ([f"    c{k} = {c}", "    n = 0", f"    while c{k} < 4.0 and n < 5:",
          f"        c{k} = c{k} * 1.5 + np.sum({v}) * 0.1", "        n += 1"], f"c{k}", "c"),
        ([f"    o{k} = {v} * 1.0", "    for i in range(2):",
          f"        o{k}[i:i + 2] = o{k}[i:i + 2] * np.cos({v}[i])"], f"o{k}", "v"),
        ([f"    t{k} = {m} @ {v} + {c} * {rng.choice(vectors)}"], f"t{k}", "v"),
        ([f"    o{k} = {v} * 1.0", "    for i in range(3):", f"        if {v}[i] > 0.7:",
          f"            o{k} = o{k} * np.cos({v}) + {c}", "            break",
          f"        o{k} = o{k} * 0.5 + {v}[i]"], f"o{k}", "v"),
        ([f"    c{k} = {c}", "    for i in range(3):", f"        if {v}[i] > 0.7:",
          f"            c{k} = c{k} * 2.0 + {v}[i]", "            continue",
          f"        c{k} = np.sin(c{k}) * {v}[i]"], f"c{k}", "c"),
        ([f"    c{k} = {c}", "    for i in range(3):", f"        c{k} = c{k} * {v}[i] + 0.3",
          f"        if c{k} > 0.8:", f"            return c{k} * np.sum({m})"], f"c{k}", "c"),
    ]
    return rng.choice(blocks)


def _call(rng: random.Random, k: int, v: str, m: str, c: str, vectors: list[str]) -> tuple:
    """A call of the module's own functions (keyword arguments, branches and loops inside,
    a tuple result), maybe inside a loop or a branch."""
    calls = [
        ([f"    o{k} = affine({v}, {m}, b={c})"], f"o{k}", "v"),
        ([f"    o{k} = gate(affine({v}, {m}), {c})"], f"o{k}", "v"),
        ([f"    o{k} = unroll({v}, {m} * 0.5, n=3)"], f"o{k}", "v"),
        ([f"    o{k}, c{k} = pair({v}, {c})", f"    o{k} = o{k} * c{k}"], f"o{k}", "v"),
        ([f"    p{k} = pair({v}, {c})", f"    c{k} = p{k}[1] * np.sum(p{k}[0])"], f"c{k}", "c"),
        ([f"    c{k} = acc_list({v}, {c})"], f"c{k}", "c"),
        ([f"    o{k} = {v} * 1.0", "    for i in range(2):",
          f"        o{k} = gate(o{k}, {c}) * 0.5 + affine(o{k}, {m}) * 0.1"], f"o{k}", "v"),
        ([f"    c{k} = {c}", "    for i in range(3):", f"        if {v}[i] > 0.6:",
          f"            c{k} = c{k} + acc_list({v}, c{k}) * 0.1", "        else:",
          f"            c{k} = c{k} * 0.9"], f"c{k}", "c"),
    ]
    return rng.choice(calls)


def _program(rng: random.Random, index: int) -> str:
    """``k<index>(x, W, s)``: x a vector of 3, W a 3x3 matrix, s a number. Odd programs
    mostly call the module's functions."""
    lines = [f"def k{index}(x, W, s):"]
    kinds: dict[str, list[str]] = {"v": ["x"], "m": ["W"], "c": ["s"]}
    for k in range(rng.randint(2, 5)):
        v, m, c = rng.choice(kinds["v"]), rng.choice(kinds["m"]), rng.choice(kinds["c"])
        make = _call if index % 2 and rng.random() < 0.7 else _block
        block, name, kind = make(rng, k, v, m, c, kinds["v"])
        lines += block
        kinds[kind].append(name)
    v, m, c = (rng.choice(kinds[kind]) for kind in "vmc")
    lines.append(
        f"    return np.sum({v} * {kinds['v'][-1]}) + np.sum({m} * {m}) * 0.1"
        f" + {c} * {kinds['c'][-1]}"
    )
    return HEADER + "\n".join(lines) + "\n"


CASES = list(range(int(os.environ.get("FUZZ_CASES", "24"))))


def _load(index: int, directory) -> tuple:
    """Program ``index`` and its arguments; a program that overflows is replaced by the next
    seed."""
    for attempt in range(20):
        source = _program(random.Random(5000 + index + 100_000 * attempt), index)
        path = directory / f"loops{index}.py"
        path.write_text(source)
        namespace: dict = {"__name__": f"loops{index}"}
        exec(compile(source, str(path), "exec"), namespace)
        values = np.random.default_rng(index)
        args = (values.uniform(0.3, 1.2, 3), values.uniform(0.3, 1.2, (3, 3)),
                float(values.uniform(0.3, 1.2)))
        try:
            with np.errstate(all="raise"):
                value = namespace[f"k{index}"](*args)
        except FloatingPointError:
            continue
        if np.isfinite(value):
            return namespace[f"k{index}"], args, source
    raise AssertionError(f"no valid program for {index}")


# autograd cannot follow element writes into arrays: finite differences are the oracle
@pytest.mark.parametrize("index", CASES)
def test_gradient_of_random_loop_program(index, tmp_path):
    f, args, source = _load(index, tmp_path)
    try:
        assert_gradients_match(f, args, wrt=(0, 1, 2), autograd=False, rtol=1e-5, atol=1e-6)
    except AssertionError as error:
        raise AssertionError(f"{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES)
def test_forward_mode_of_random_loop_program(index, tmp_path):
    f, args, source = _load(index, tmp_path)
    try:
        assert_jvp_matches(f, args, wrt=(0, 1, 2), autograd=False)
    except AssertionError as error:
        raise AssertionError(f"{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES)
@pytest.mark.parametrize("order", ORDERS)
def test_second_derivatives_of_random_loop_program(index, order, tmp_path):
    f, args, source = _load(index, tmp_path)
    assert_second_derivative_matches(order, f, args, 0, 0, seed=7, context=source)


@pytest.mark.parametrize("index", CASES)
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_one_argument_of_random_loop_program(index, mode, tmp_path):
    """With respect to one argument: the loops that do nothing for it are deleted, and
    what the tape keeps must not depend on them."""
    f, args, source = _load(index, tmp_path)
    assertion = assert_gradients_match if mode == "reverse" else assert_jvp_matches
    for wrt in range(3):
        try:
            assertion(f, args, wrt=(wrt,), autograd=False)
        except AssertionError as error:
            raise AssertionError(f"wrt {wrt}\n{source}\n{error}") from None


@pytest.mark.parametrize("index", CASES[::2])
@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("i,j", [(1, 0), (0, 2), (2, 1)])
def test_mixed_second_derivatives_of_random_loop_program(index, order, i, j, tmp_path):
    """d(grad_i)/d(x_j) for i != j: the derivative of a gradient with respect to another
    argument pulls adjoints through tape pops and in-place restores that a pure second
    derivative may never exercise."""
    f, args, source = _load(index, tmp_path)
    assert_second_derivative_matches(order, f, args, i, j, seed=3, context=source)
