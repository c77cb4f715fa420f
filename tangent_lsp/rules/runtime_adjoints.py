"""Reverse-mode rules for the runtime helpers generated code calls, so that a
gradient can be differentiated in reverse mode again (reverse over reverse) and
forward-mode code in reverse mode (reverse over forward).
"""

from tangent_lsp.rules.notation import adjoint, d
from tangent_lsp.runtime import (
    add_grad,
    broadcast_like,
    einsum_adjoint,
    einsum_adjoint_vjp,
    gram_adjoint,
    gram_adjoint_vjp,
    join_like,
    matmul_adjoint_a,
    matmul_adjoint_a_vjp,
    matmul_adjoint_b,
    matmul_adjoint_b_vjp,
    norm_adjoint,
    norm_adjoint_vjp,
    solve_adjoint,
    solve_adjoint_vjp,
    split_like,
    sum_tangents,
    tangents_like,
    tangents_like_adjoint,
    unbroadcast,
    unreduce,
    unreduce_adjoint,
    unsum,
)


@adjoint(unbroadcast)  # sums or spreads g to x's shape; its adjoint does the reverse
def a_unbroadcast(y, g, x):
    d[g] = unbroadcast(d[y], g)


@adjoint(split_like)  # linear in g: its adjoint puts the pieces' adjoints back together
def a_split_like(y, g, arrays, axis=0, ndmin=1):
    d[g] = join_like(d[y], g, arrays, axis, ndmin)


@adjoint(einsum_adjoint)  # each operand's adjoint is the einsum transposed in that operand
def a_einsum_adjoint(y, g, subscripts, operands):
    parts = einsum_adjoint_vjp(d[y], g, subscripts, operands)
    d[g] = parts[0]
    d[operands] = parts[1]


@adjoint(solve_adjoint)
def a_solve_adjoint(y, g, a, b, x):
    parts = solve_adjoint_vjp(d[y], g, a, b, x)
    d[g] = parts[0]
    d[a] = parts[1]
    d[x] = parts[2]


@adjoint(norm_adjoint)  # of g * x / y (the 2-norm's gradient), for second derivatives
def a_norm_adjoint(z, g, x, y, ord=None, axis=None, keepdims=False):
    parts = norm_adjoint_vjp(d[z], g, x, y, ord, axis, keepdims)
    d[g] = parts[0]
    d[x] = parts[1]
    d[y] = parts[2]


@adjoint(broadcast_like)
def a_broadcast_like(y, t, like):
    d[t] = unbroadcast(d[y], t)


@adjoint(unreduce)
def a_unreduce(y, g, x, axis=None, keepdims=False):
    d[g] = unreduce_adjoint(d[y], g, x, axis, keepdims)


@adjoint(matmul_adjoint_a)
def a_matmul_adjoint_a(y, g, a, b):
    parts = matmul_adjoint_a_vjp(d[y], g, a, b)
    d[g] = parts[0]
    d[b] = parts[1]


@adjoint(matmul_adjoint_b)
def a_matmul_adjoint_b(y, g, a, b):
    parts = matmul_adjoint_b_vjp(d[y], g, a, b)
    d[g] = parts[0]
    d[a] = parts[1]


@adjoint(gram_adjoint)
def a_gram_adjoint(y, g, x):
    parts = gram_adjoint_vjp(d[y], g, x)
    d[g] = parts[0]
    d[x] = parts[1]


@adjoint(add_grad)
def a_add_grad(y, a, b):
    d[a] = d[y]
    d[b] = d[y]


@adjoint(unsum)  # one copy of g per element: its adjoint adds the elements' adjoints up
def a_unsum(y, g, iterable):
    d[g] = unbroadcast(sum_tangents(d[y]), g)


@adjoint(tangents_like)
def a_tangents_like(y, t, x):
    d[t] = tangents_like_adjoint(d[y], t, x)
