"""Models whose parameters are containers of containers: lists of layers given as
dicts or tuples, unpacked in loops, passed to the module's own functions, read by
position. ``test_nested_containers.py`` differentiates them."""

import numpy as np


def layer(p, h):
    return np.tanh(h @ p["W"] + p["b"])


def dense(W, b, h):
    return np.tanh(h @ W + b)


def layer_of_pair(p, h):
    W, b = p
    return np.tanh(h @ W + b)


def through(p, h):
    return layer(p, h) * 0.5 + h @ p["W"]


def list_of_dicts_to_callee(layers, x):
    h = x
    for p in layers:
        h = layer(p, h)
    return np.sum(h ** 2)


def list_of_tuples_unpacked(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def list_of_tuples_unpacked_to_callee(params, x):
    h = x
    for W, b in params:
        h = dense(W, b, h)
    return np.sum(h ** 2)


def list_of_lists_by_position(params, x):
    h = x
    for i in range(len(params)):
        h = np.tanh(h @ params[i][0] + params[i][1])
    return np.sum(h ** 2)


def list_of_tuples_to_unpacking_callee(params, x):
    h = x
    for p in params:
        h = layer_of_pair(p, h)
    return np.sum(h ** 2)


def dict_of_lists_zipped(params, x):
    h = x
    for W, b in zip(params["W"], params["b"]):
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def tuple_unpacked_once(p, x):
    W, b = p
    return np.sum(np.tanh(x @ W + b) ** 2)


def dict_used_twice(p, x):
    return np.sum(layer(p, x) * layer(p, x * 0.5))


def dict_through_two_calls(layers, x):
    h = x
    for p in layers:
        h = through(p, h)
    return np.sum(np.sin(h))


def dict_of_list_of_dicts(model, x):
    h = x * model["scale"]
    for p in model["layers"]:
        h = np.tanh(h @ p["W"] + p["b"])
    return np.sum(h ** 2)


def enumerate_layers(layers, x):
    h = x
    for i, p in enumerate(layers):
        h = layer(p, h) * (i + 1.0)
    return np.sum(h ** 2)


def array_rows_unpacked(X, w):
    total = 0.0
    for a, b in X:
        total = total + np.sin(a * w) * b
    return total


def array_unpacked(x):
    a, b = x
    return np.sum(a * b + np.sin(a))


def pair_of_containers(x):
    return [x * 2.0, np.sin(x)], {"k": x ** 2}


def callee_returns_containers(x):
    parts, extra = pair_of_containers(x)
    return np.sum(parts[0] * parts[1] + extra["k"])


def dict_entry_in_loop_and_before(params, x):
    c = np.sum(params["u"] * x)
    a = np.sum(params["w"] * x)
    for i in range(2):
        a = a + np.sum(params["u"] * i)
    return a * c


def dict_entry_in_branch_and_before(params, x):
    c = np.sum(params["u"] * x)
    a = np.sum(params["w"] * x)
    if c > 0.0:
        a = a * np.sum(params["u"])
    return a * c


def by_position(p, h):
    return np.tanh(h @ p[0]) * p[1]


def list_of_tuples_to_positional_callee(params, x):
    h = x
    for p in params:
        h = by_position(p, h)
    return np.sum(h ** 2)


def tuple_by_position(p, x):
    return np.sum(np.sin(x @ p[0]) + p[1] * p[2])


def nested_unpacking(pair, x):
    (W, b), c = pair
    return np.sum(np.tanh(x @ W + b) * c)


def unpack_into_own_name(p, x):
    h = x
    for _ in range(2):
        W, p = p
        h = np.tanh(h @ W)
    return np.sum(h * p)


def l2_over_values(params, x):
    reg = sum(np.sum(v ** 2) for v in params.values())
    return np.sum(np.tanh(x @ params["W"])) + 0.1 * reg


def l2_over_items(params, x):
    total = np.sum(x @ params["W"])
    for _key, v in params.items():
        total = total + 0.5 * np.sum(v * v)
    return total


def over_the_dict_itself(params, x):
    total = np.sum(x @ params["W"])
    for k in params:
        total = total + np.sum(params[k] ** 2)
    return total


def over_keys(params, x):
    total = np.sum(x @ params["W"])
    for k in params.keys():
        total = total + np.sum(np.sin(params[k]))
    return total


def nested_dict_items(model, x):
    h = x
    for _name, layer in model.items():
        h = np.tanh(h @ layer["W"] + layer["b"])
    return np.sum(h ** 2)


def ragged_list(xs, x):
    return sum(np.sum(v * v) for v in xs) / len(xs) + np.sum(x)


# --- starred unpacking -----------------------------------------------------------------


def starred_tail(params, x):
    W, *rest = params
    b, scale = rest
    return scale * np.sum(np.tanh(x @ W + b) ** 2)


def starred_middle(layers, x):
    first, *middle, last = layers
    h = np.tanh(x @ first)
    for W in middle:
        h = np.tanh(h @ W)
    return np.sum(h @ last)


def starred_array_rows(A, x):
    a, *others = A
    total = np.sum(a * x)
    for row in others:
        total = total + np.sum(np.sin(row) * x)
    return total + len(others) * np.sum(others[-1])


def starred_in_loop(pairs, x):
    total = 0.0
    for first, *rest in pairs:
        total = total + np.sum(first * x) * np.sum(rest[0])
    return total


def unpack_a_literal(x, w):
    (a, b), c = (x, w * x), 3.0
    first, *rest = a, b, c * w
    return np.sum(a * b) * c + np.sum(rest[0] * first) + np.sum(np.sin(rest[1]))


def index_a_literal(x, w):
    y = (x, w * x)[1] + [x * x, w][0]
    return np.sum(y * {"a": w, "b": x}["b"])


def keys_from_a_list(params, x):
    total = 0.0
    for k in ["a", "b"]:
        total = total + np.sum(params[k] * x) ** 2
    return total
