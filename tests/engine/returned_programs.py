"""Lists, dicts and tuples returned by the module's own functions, then read by the
caller by a key held in a variable, or iterated (``test_returned_containers.py``); dicts
made by ``dict()``."""

import numpy as np


def grads(params, x):
    return {"w": 2.0 * params["w"] * x, "b": np.cos(params["b"])}


def sgd_then_loss(params, x, lr=0.1):  # the README's dict-comprehension SGD step
    g = grads(params, x)
    new = {k: v - lr * g[k] for k, v in params.items()}
    return np.sum(new["w"] ** 2) + np.sum(new["b"] ** 2)


def sgd_of_arrays(w, b, x):  # the same, from arrays: differentiated in all four orders
    params = {"w": w, "b": b}
    g = grads(params, x)
    new = {k: v - 0.1 * g[k] for k, v in params.items()}
    return np.sum(new["w"] ** 2) + np.sum(new["b"][:2] * new["w"][1:])


def grads_passed_on(params, x):  # the dict comes back through two callees
    g = grads(params, x)
    return g


def two_steps(params, x):
    for _ in range(2):
        g = grads_passed_on(params, x)
        params = {k: params[k] - 0.1 * g[k] for k in params}
    return np.sum(params["w"] * params["b"][0]) + np.sum(params["b"] ** 2)


def activations(Ws, x):
    hs = []
    h = x
    for W in Ws:
        h = np.tanh(W @ h)
        hs.append(h)
    return hs


def activity_penalty(Ws, x):  # layers of different widths
    tot = 0.0
    for h in activations(Ws, x):
        tot = tot + np.sum(h ** 2)
    return tot


def penalty_of_two_layers(W1, W2, x):
    tot = 0.0
    for h in activations([W1, W2], x):
        tot = tot + np.sum(h ** 2)
    return tot


def two_widths(x):
    return np.sin(x), np.cos(x[:2]) * x[0]


def tuple_read_by_variable(x):
    r = two_widths(x)
    tot = 0.0
    for i in range(2):
        tot = tot + np.sum(r[i] ** 2)
    return tot


def tuple_iterated(x):
    tot = 0.0
    for part in two_widths(x):
        tot = tot + np.sum(part ** 3)
    return tot


def states(x):
    h = x
    hs = []
    for i in range(3):
        h = np.tanh(h[: 3 - i] * (i + 1.0))
        hs.append(h)
    return h, hs


def unpacked_list_iterated(x):
    h, hs = states(x)
    tot = np.sum(h)
    for s in hs:
        tot = tot + np.sum(s ** 2)
    return tot


def list_in_a_returned_tuple(x):  # read by constant positions
    h, hs = states(x)
    return np.sum(h) + np.sum(hs[0] ** 2) + np.sum(hs[1])


def nested(x):
    hs = [np.sin(x), np.cos(x[:2])]
    return (np.sum(x), hs), {"a": x * 2.0}


def nested_tuple_unpacked(x):
    (s, hs), d = nested(x)
    tot = s
    for h in hs:
        tot = tot + np.sum(h ** 2)
    for k in d:
        tot = tot + np.sum(d[k] * x)
    return tot


def either(x, c):  # several returns: the result is a list on every path
    if c > 0:
        return [np.sin(x), x[:2]]
    return [np.cos(x), x[1:] ** 2, x]


def list_from_several_returns(x):
    tot = 0.0
    for h in either(x, 1.0):
        tot = tot + np.sum(h ** 2)
    for h in either(x, -1.0):
        tot = tot + np.sum(h ** 3)
    return tot


def sines(ws):
    return [np.sin(w) * 2.0 for w in ws]


def comprehension_read_by_position(x):
    hs = sines([x, x[:2], x[1:]])
    tot = 0.0
    for i in range(len(hs)):
        tot = tot + np.sum(hs[i] * hs[i])
    return tot + np.sum(hs[-1])


def dict_ctor_int_keys(x):
    cache = dict()
    for i in range(3):
        cache[i] = np.sin(x) * i
    return np.sum(cache[2])


def dict_ctor_read_by_position(x):
    cache = dict()
    for i in range(3):
        cache[i] = np.sin(x[i:]) * (i + 1.0)
    tot = 0.0
    for i in range(3):
        tot = tot + np.sum(cache[i] ** 2)
    return tot


def dict_ctor_keywords(x):
    d = dict(a=np.sin(x), b=x[:2] * 2.0)
    tot = 0.0
    for k in ["a", "b"]:
        tot = tot + np.sum(d[k] ** 2)
    return tot


def dict_copied(x):
    d = {0: np.sin(x), 1: x[:2] * 2.0}
    e = dict(d)
    for i in range(2):
        e[i] = e[i] * (i + 2.0)
    return np.sum(e[0] * d[0]) + np.sum(e[1] ** 2)


def pick(Ws):  # returns its argument, never indexing it
    return Ws


def list_passed_through(W1, W2, x):  # layers of different widths
    tot = 0.0
    for W in pick([W1, W2]):
        tot = tot + np.sum(np.tanh(W @ x))
    return tot


def list_name_passed_through(W1, W2, x):
    Ws = [W1, W2]
    tot = 0.0
    for W in pick(Ws):
        tot = tot + np.sum(np.tanh(W @ x) ** 2)
    return tot
