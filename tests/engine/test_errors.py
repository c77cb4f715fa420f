"""Everything unsupported raises DiffError naming the construct, file, line and column."""

import inspect
import textwrap
from collections import namedtuple

import numpy as np
import pytest
from scipy.stats import norm

import tangent_lsp
from tangent_lsp import DiffError, derive
from tangent_lsp.engine import syntax as S

# (id, body of f(x), construct named in the message, line, column of the construct)
CASES = [
    ("lambda_passed_around", "g = lambda v: v * 2\n    h = g\n    return h(x)", "lambda", 4, 8),
    ("lambda_argument_on_a_condition", "g = lambda v: v * v\n    return np.sum(x) if x[0] > 0 "
     "else np.sum(g(x * 2))", "lambda", 4, 8),
    ("lambda_star_args", "g = lambda *v: v[0] * 2\n    return np.sum(g(x))", "a lambda with *args",
     4, 8),
    ("lambda_arguments_do_not_fit", "g = lambda v, w: v * w\n    return np.sum(g(x))",
     "calling the lambda 'g' with arguments that do not match its parameters (line 5)", 4, 8),
    ("lambda_in_a_loop", "for _ in range(2):\n        g = lambda v: v * 2\n        x = g(x)\n"
     "    return np.sum(x)", "outside loops and branches", 5, 12),
    ("zip_in_zip_not_unpacked", "s = 0.0\n    for a, bc in zip(x, zip(x, x)):\n"
     "        s = s + a * bc[0]\n    return s", "for w, (x, y) in zip(ws, zip(xs, ys))", 5, 24),
    ("zip_as_a_value", "d = dict(zip(['a', 'b'], [x, x * 2]))\n    return np.sum(d['a'] * d['b'])",
     "{k: v for k, v in zip(ks, vs)}", 4, 13),
    ("starred_nested", "a, *(b, c) = x\n    return np.sum(a)", "starred unpacking into a nested target", 4, 7),
    ("unpack_into_subscript", "y = x * 1.0\n    y[0], b = x\n    return np.sum(y)",
     "unpacking into a subscript", 5, 4),
    ("conditional_list_comprehension", "return np.sum(x) if x[0] > 0 else np.sum([v for v in x])",
     "list comprehension on a conditional path", 4, 45),
    ("conditional_dict_comprehension", "d = {'a': x} if x[0] > 0 else {k: x for k in 'a'}\n"
     "    return np.sum(d['a'])", "dict comprehension on a conditional path", 4, 34),
    ("conditional_generator", "return np.sum(x) if x[0] > 0 else sum(v for v in x)",
     "generator expression on a conditional path", 4, 41),
    ("yield", "yield x", "yield", 4, 4),
    ("walrus", "return (y := x * 2)", "assignment expression", 4, 12),
    ("walrus_in_test", "if (s := np.sum(x)) > 0.5:\n        return s\n    return x", "assignment expression", 4, 8),
    ("starred_arg", "return np.add(*x)", "starred expression", 4, 18),
    ("kwargs_arg", "return np.sum(x, **opts)", "**kwargs argument", 4, 23),
    ("nested_def", "def g(v):\n        return v\n    return g(x)", "nested function", 4, 4),
    ("try", "try:\n        y = x\n    except ValueError:\n        y = x\n    return y", "try statement", 4, 4),
    ("with", "with open('f') as h:\n        y = x\n    return y", "with statement", 4, 4),
    ("global", "global W\n    return x", "global statement", 4, 4),
    ("del", "y = x\n    del y\n    return x", "del statement", 5, 4),
    ("raise", "raise ValueError('no')", "raises on every path", 3, 0),
    ("import", "import math\n    return x", "import inside a function", 4, 4),
    ("in_place_method", "x.sort()\n    return np.sum(x)", "in-place method '.sort()'", 4, 4),
    ("add_at_argument", "np.add.at(x, [0, 0], 1.0)\n    return np.sum(x)",
     "in-place NumPy function 'np.add.at'", 4, 4),
    ("copyto", "y = x * 1.0\n    np.copyto(y, x)\n    return np.sum(y)",
     "in-place NumPy function 'np.copyto'", 5, 4),
    ("attribute_write", "x.y = 1.0\n    return np.sum(x)", "assignment into an attribute", 4, 4),
    ("set_literal", "return np.sum({x})", "set literal", 4, 18),
    ("no_return", "y = x * 2", "function without return", 3, 0),
    ("starred_return", "return (*x,)", "starred expression", 4, 12),
    ("unknown_name", "return np.sum(helper(x))", "call", 4, 18),
    ("undefined_var", "return np.sum(z)", "name", 4, 18),
    ("bad_keyword", "return np.sum(x, initial=0.0)", "keyword argument 'initial'", 4, 11),
    ("einsum_interleaved", "return np.einsum(x, [0, 1], x, [1, 2], [0, 2])", "interleaved form", 4, 11),
    ("einsum_interleaved_tuples", "return np.einsum(np.outer(x, x), (0, 1), x, (1,), (0,))", "interleaved form", 4, 11),
    ("element_of_element", "y = [x, x]\n    y[0][1] = 2.0\n    return np.sum(y[0])",
     "element of an element", 5, 4),
    ("sort_in_place", "y = x.copy()\n    y.sort()\n    return np.sum(y)", "y = np.sort(y)", 5, 4),
    ("named_result_field", "return np.linalg.slogdet(np.outer(x, x) + 1.0).logabsdet", "[1] is .logabsdet",
     4, 11),
    ("take_out_by_position", "return np.sum(np.take(x, [0, 1], 0, x))", "output argument", 4, 40),
    ("enumerate_start", "s = 0.0\n    for i, v in enumerate(x, 1):\n        s = s + v * i\n    return s",
     "enumerate with a start", 5, 16),
    ("carried_without_a_first_value",
     "s = 0.0\n    for i in range(3):\n        if i > 0:\n            s = s + prev * x\n"
     "        prev = x * i\n    return np.sum(s)", "needs a first value", 7, 20),
    ("module_alias", "xp = np\n    return xp.mean(x ** 2)", "local name for the module 'numpy'", 4, 9),
    ("submodule_alias", "lin = np.linalg\n    return lin.det(np.outer(x, x) + 1.0)",
     "local name for the module 'numpy.linalg'", 4, 10),
    ("append_in_a_container", "d = {'h': []}\n    d['h'].append(x * 2.0)\n    return np.sum(d['h'][0])",
     "on an element of a container", 5, 4),
    ("list_of_a_dict_grown", "d = {'h': []}\n    hs = d['h']\n    hs.append(x * 2.0)\n    return np.sum(d['h'][0])",
     "'d' is read after 'hs', a view of it", 7, 18),
    ("generator_draw", "rng = np.random.default_rng(0)\n    return np.sum(rng.normal(x, 1.0))",
     "mu + sigma * rng.standard_normal(size)", 5, 18),
    ("method_arrays_lack", "return np.sum(x.predict(x))", "arrays have no '.predict'", 4, 18),
    ("linspace_retstep", "s, step = np.linspace(0.0, x[0], 5, retstep=True)\n    return np.sum(s) + step",
     "retstep=True", 4, 14),
    ("no_rule", "return np.sum(np.fft.fft(x).real)", "call", 4, 18),
    ("pad_computed_border", "return np.sum(np.pad(x, 1, mode='maximum'))", "computes its border",
     4, 18),
    ("pad_reflection_in_a_variable", "t = 'odd'\n    return np.sum(np.pad(x, 1, 'reflect', reflect_type=t))",
     "reflect_type= is followed only when written as a constant", 5, 18),
    ("pad_odd_reflection", "return np.sum(np.pad(x, 1, 'reflect', reflect_type='odd'))",
     "reflect_type='odd'", 4, 18),
    ("star_params", None, "*args parameter", 3, 7),
    ("view_then_write", "B = x * 1.0\n    col = B[:, 0]\n    B[:, 0] = col * 2.0\n"
     "    return np.sum(col)", "write through a view", 7, 11),
    ("write_into_view", "B = x * 1.0\n    row = B[1:]\n    row[0] = 3.0\n"
     "    return np.sum(np.sin(B))", "write through a view", 7, 18),
    ("reshape_view", "B = x * 1.0\n    r = B.reshape(-1)\n    B[0] += 2.0\n"
     "    return np.sum(r)", "write through a view", 7, 11),
    ("augmented_view", "t = x.T.T\n    t += 1.0\n    return np.sum(x * x)",
     "write through a view", 6, 18),
    ("augmented_base", "B = x * 2.0\n    r = B[1:]\n    B += 1.0\n    return np.sum(r * r)",
     "write through a view", 7, 18),
    ("add_at_view", "B = x * 1.0\n    r = B[1:]\n    np.add.at(B, [0, 1], 1.0)\n"
     "    return np.sum(r * r)", "write through a view", 7, 18),
    ("alias_array", "B = x * 1.0\n    C = B\n    C[0] = 5.0\n    return np.sum(B * x)",
     "write through a view", 7, 18),
    ("alias_list", "xs = [x * 2.0]\n    ys = xs\n    ys.append(x * x)\n    return np.sum(xs[1])",
     "write through a view", 7, 18),
    ("alias_dict", "d = {'a': x}\n    e = d\n    e['b'] = x * x\n    return np.sum(d['b'])",
     "write through a view", 7, 18),
]


def _source(body):
    if body is None:
        return "import numpy as np\n\ndef f(*x):\n    return x\n"
    return "import numpy as np\n\ndef f(x):\n    " + body + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_unsupported_construct_is_reported_precisely(case):
    _, body, construct, line, col = case
    with pytest.raises(DiffError) as info:
        derive(_source(body), "f", path="model.py")
    error = info.value
    assert construct in error.construct or construct in error.message or construct in (
        error.hint or ""
    ), error.format()
    assert error.path == "model.py"
    assert (error.line, error.col) == (line, col), error.format()
    assert error.hint, "every error carries a hint"
    assert error.format().startswith(f"model.py:{line}:{col + 1}: ")


def test_syntax_error_is_a_diff_error():
    with pytest.raises(DiffError) as info:
        derive("def f(x):\n    return x +\n", "f", path="broken.py")
    assert info.value.construct == "syntax"
    assert info.value.line == 2


def test_missing_function_is_a_diff_error():
    with pytest.raises(DiffError, match="no function named 'g'"):
        derive("def f(x):\n    return x\n", "g")


def test_wrt_must_name_an_argument():
    with pytest.raises(DiffError, match="has no argument 'y'"):
        derive("def f(x):\n    return x * x\n", "f", wrt=("y",))
    with pytest.raises(DiffError, match="no argument number 3"):
        derive("def f(x):\n    return x * x\n", "f", wrt=(3,))


def test_runtime_errors_point_into_the_real_file():
    import tangent_lsp

    def uses_lambda(x):
        g = lambda v: v  # noqa: E731 - passed around as a value: not inlined
        h = g
        return h(x)

    with pytest.raises(DiffError) as info:
        tangent_lsp.grad(uses_lambda)
    assert info.value.path == __file__
    assert info.value.line == uses_lambda.__code__.co_firstlineno + 1


def lambda_used_as_a_value(x):
    g = lambda v, c=2.0: v * c  # noqa: E731
    h = g
    return np.sum(h(x))


def test_a_lambda_says_why_it_is_not_inlined():
    first = lambda_used_as_a_value.__code__.co_firstlineno
    with pytest.raises(DiffError) as live:
        tangent_lsp.grad(lambda_used_as_a_value)(np.ones(2))
    source = "import numpy as np\n\n\n" + textwrap.dedent(inspect.getsource(lambda_used_as_a_value))
    with pytest.raises(DiffError) as static:
        derive(source, "lambda_used_as_a_value")
    for error, line in ((live.value, first + 1), (static.value, 5)):
        assert error.message == f"using the lambda 'g' as a value (line {line + 1}) is not supported"
        assert (error.line, error.col) == (line, 8)
        assert error.hint.startswith("only call it by its name (g(...)), or define it with 'def'")
        assert "bind it to a name" not in error.hint  # it is bound to one


def zip_in_zip_not_unpacked(ws, xs, ys):
    tot = 0.0
    for w, xy in zip(ws, zip(xs, ys)):
        tot += np.sum(w * xy[0] * xy[1])
    return tot


def test_a_zip_in_a_zip_says_to_unpack_it_in_the_target():
    first = zip_in_zip_not_unpacked.__code__.co_firstlineno
    xs = [np.ones(2), np.ones(2)]
    with pytest.raises(DiffError) as live:
        tangent_lsp.grad(zip_in_zip_not_unpacked, wrt=(0, 1, 2))(xs, xs, xs)
    source = "import numpy as np\n\n\n" + textwrap.dedent(inspect.getsource(zip_in_zip_not_unpacked))
    with pytest.raises(DiffError) as static:
        derive(source, "zip_in_zip_not_unpacked", wrt=(0, 1, 2))
    for error, line in ((live.value, first + 2), (static.value, 6)):
        assert error.message == "no derivative rule for 'zip' (builtins.zip)"
        assert (error.line, error.col) == (line, 25)
        assert "for w, (x, y) in zip(ws, zip(xs, ys))" in error.hint


def normal_log_likelihood(mu, x):
    return -np.sum(norm.logpdf(x, mu, 2.0))


def test_a_method_of_a_module_level_distribution_has_no_rule_and_says_what_to_write():
    """Was "arrays have no '.logpdf': a local value is read as an array" on the live path."""
    first = normal_log_likelihood.__code__.co_firstlineno
    source = "import numpy as np\nfrom scipy.stats import norm\n\n\n" + textwrap.dedent(
        inspect.getsource(normal_log_likelihood))
    for mode in (tangent_lsp.grad, tangent_lsp.jvp):
        with pytest.raises(DiffError) as live:
            mode(normal_log_likelihood)(0.3, np.ones(3), *([1.0] if mode is tangent_lsp.jvp else []))
        with pytest.raises(DiffError) as static:
            derive(source, "normal_log_likelihood", mode="forward" if mode is tangent_lsp.jvp
                   else "reverse")
        for error, line in ((live.value, first + 1), (static.value, 6)):
            assert "rule for 'norm.logpdf' (scipy.stats.norm.logpdf)" in error.message
            assert (error.line, error.col) == (line, 19)
            assert "write it with NumPy and scipy.special" in error.hint
            assert "array" not in error.hint


def test_a_method_arrays_have_stays_an_arrays_on_a_module_level_object():
    from tangent_lsp.engine.resolve import RuntimeResolver

    resolver = RuntimeResolver({"norm": norm, "W": np.ones(2), "CONFIG": {"a": 1}})
    assert resolver.qualname(S.dotted("norm.logpdf")) == "scipy.stats.norm.logpdf"
    assert resolver.qualname(S.dotted("norm.mean")) is None  # arrays have .mean
    assert resolver.qualname(S.dotted("W.reshape")) is None
    assert resolver.qualname(S.dotted("CONFIG.get")) is None


Params = namedtuple("Params", ["W", "b"])


def layer_of_a_namedtuple(p, x):
    return np.sum(np.tanh(p.W @ x + p.b) ** 2)


def pop_front(x):
    q = [x, x * 2, x * 3]
    a = q.pop(0)
    return np.sum(a * q[0])


def _live_and_static(f, args, tangent):
    """The errors of grad(f) and jvp(f) (``tangent`` for the first argument) and of derive
    on f's source in both modes, each with the line of f's first statement."""
    first = f.__code__.co_firstlineno
    source = "import numpy as np\n\n\n" + textwrap.dedent(inspect.getsource(f))
    out = []
    for mode in ("reverse", "forward"):
        with pytest.raises(DiffError) as live:
            if mode == "reverse":
                tangent_lsp.grad(f)(*args)
            else:
                tangent_lsp.jvp(f)(*args, tangent)
        with pytest.raises(DiffError) as static:
            derive(source, f.__name__, mode=mode)
        out += [(live.value, first + 1), (static.value, 5)]
    return out


def test_a_field_of_a_namedtuple_says_to_pass_a_dict_or_a_tuple():
    """Was "no derivative rule for attribute '.b' (numpy.ndarray.b) (hint: arrays have no
    '.b' ... np.random.normal(...))"."""
    p = Params(np.ones((2, 3)), np.ones(2))
    for error, line in _live_and_static(layer_of_a_namedtuple, (p, np.ones(3)), p):
        field = "b" if "'.b'" in error.message else "W"  # the backward sweep meets .b first
        assert f"rule for the attribute '.{field}': the fields of a namedtuple, a dataclass" in \
            error.message
        assert "numpy.ndarray" not in error.message
        assert (error.line, error.col) == (line, 36 if field == "b" else 26), error.format()
        assert error.hint == (f"pass the values in a dict (p['{field}']) or a tuple (unpack it: "
                              "W, b = p; a namedtuple is one)")


def test_a_pop_with_an_index_says_only_pop_from_the_end_is_differentiated():
    """Was "no derivative rule for method '.pop()' (numpy.ndarray.pop) (hint: arrays have
    no '.pop' ...)" for a list."""
    for error, line in _live_and_static(pop_front, (np.ones(3),), np.ones(3)):
        assert "rule for '.pop(...)' with an argument: only a list's '.pop()', taking its last " \
            "item, is differentiated" in error.message
        assert (error.line, error.col) == (line + 1, 8), error.format()
        assert error.hint.startswith("read the item and slice the rest off: a, q = q[0], q[1:]")


def test_constructs_that_carry_no_gradient_are_not_errors():
    source = textwrap.dedent(
        """
        import numpy as np

        def f(x):
            n = x.shape[0]
            i = np.argmax(x)
            big = x > 0
            assert n > 0
            print(n, i)
            return np.sum(x * big) / n
        """
    )
    assert "def df_dx" in derive(source, "f").code


def test_a_second_name_for_a_list_says_so_and_suggests_a_copy():
    source = _source("xs = [x * 2.0]\n    ys = xs\n    ys.append(x * x)\n    return np.sum(xs[1])")
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "'xs' is read after 'ys', another name for it (ys = xs)" in info.value.message
    assert info.value.hint.endswith("ys = xs.copy()")


def test_a_parameter_defaulting_to_a_module_is_reported():
    source = "import numpy as np\n\n\ndef f(x, np=np):\n    return np.sum(x)\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "local name for the module 'numpy'" in info.value.message
    assert "drop the parameter 'np'" in info.value.hint


DECORATED = """import functools
import numpy as np


def doubled(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)
    return wrapper


@doubled
def helper(x):
    return x ** 2


@functools.lru_cache(maxsize=None)
def factor(n):
    return n * 2.0


def calls_helper(x):
    return np.sum(helper(x))


def calls_cached(x):
    return np.sum(x * factor(3))
"""


def test_a_decorated_callee_is_reported_and_a_cache_is_not():
    with pytest.raises(DiffError) as info:
        derive(DECORATED, "calls_helper")
    assert "decorated with 'doubled'" in info.value.message and info.value.line == 12
    assert "def" in derive(DECORATED, "calls_cached").code


LATER_DEFINITIONS = """import numpy as np
from numpy import tanh

USE_RELU = True
if USE_RELU:
    def act(x):
        return np.maximum(x, 0.0)
else:
    def act(x):
        return np.tanh(x)


def tanh(x):
    return x ** 3


def f(x):
    return np.sum(tanh(x))


def g(x):
    return np.sum(act(x))
"""


def test_the_last_binding_of_a_name_is_the_one_read():
    assert "x ** 2" in derive(LATER_DEFINITIONS, "f").code  # the def after the import
    with pytest.raises(DiffError) as info:  # which act runs depends on a test
        derive(LATER_DEFINITIONS, "g")
    assert "'act'" in info.value.message


def test_a_logarithm_to_a_base_says_how_to_write_it():
    source = "import math\n\n\ndef f(x):\n    return math.log(x, 2.0)\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "log(x) / log(base)" in info.value.hint


def test_a_write_through_a_view_quotes_both_lines():
    source = _source("B = x * 1.0\n    col = B[:, 0]\n    B[:, 0] = col * 2.0\n    return np.sum(col)")
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    message = info.value.message
    assert "'col' is a view of 'B' (col = B[:, 0])" in message
    assert "(B[:, 0] = col * 2.0)" in message and "copy()" in info.value.hint


def accumulate_under_a_second_name(x, y):
    acc = x
    acc += y  # for numbers, += rebinds; for arrays it writes into x too
    return acc * x


def accumulate_into_a_new_value(x, y):
    acc = x
    acc = acc + y
    return np.sum(acc * x)


def test_accumulating_under_a_second_name_is_reported_with_the_rewrite():
    """Nothing here knows whether x is a number (`+=` rebinds acc) or an array (`+=` writes
    into x as well): the second would be a wrong derivative, so both are reported, with
    the line that means the same for a number and is right for both."""
    from tests.oracle import assert_gradients_match

    with pytest.raises(DiffError) as info:
        tangent_lsp.grad(accumulate_under_a_second_name)
    assert "'x' is read after 'acc', another name for it (acc = x)" in info.value.message
    assert "(acc += y)" in info.value.message  # quoted without its comment
    assert info.value.hint.startswith("write acc = acc + y for a new array")
    assert_gradients_match(accumulate_into_a_new_value, (0.5, 2.0), wrt=(0, 1))
    x, y = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    assert_gradients_match(accumulate_into_a_new_value, (x, y), wrt=(0, 1))


MUTATING_CALLEE = """import numpy as np


def scale(a):
    a[0] = a[0] * 2.0
    return a


def f(x):
    y = x * 1.0
    z = scale(y)
    return np.sum(y * z)


def g(x):
    z = scale(x * 1.0)
    return np.sum(z * z)
"""


def test_a_variable_read_after_a_function_wrote_into_it_is_reported():
    """``scale`` writes into its argument: ``y`` changes under the call, which the
    derivative would not see. Only a read of ``y`` afterwards is a problem."""
    with pytest.raises(DiffError) as info:
        derive(MUTATING_CALLEE, "f", path="model.py")
    error = info.value
    assert (error.line, error.col) == (12, 18)
    assert "'y' is read after a call changed it in place (z = scale(y))" in error.message
    assert "y.copy()" in error.hint


def scale_in_place(a):
    a[0] = a[0] * 2.0
    return a


def only_the_result_is_read(x):
    z = scale_in_place(x * 1.0)
    return np.sum(z * z)


def test_a_function_writing_into_its_argument_is_fine_when_nothing_reads_it_again():
    from tests.oracle import assert_gradients_match

    assert_gradients_match(only_the_result_is_read, (np.array([0.3, -0.7, 1.1]),), autograd=False)


class _Model:
    def loss(self, x):
        return np.sum(x * x)


def test_lambdas_and_bound_methods_are_refused_clearly():
    with pytest.raises(DiffError, match="a lambda has no source"):
        tangent_lsp.grad(lambda x: np.sum(x * x))
    with pytest.raises(DiffError, match="bound method"):
        tangent_lsp.grad(_Model().loss)


def _with_a_try(x):
    try:
        return np.sum(x)
    except ValueError:
        return 0.0


def test_the_message_of_an_api_error_says_where():
    with pytest.raises(DiffError) as error:
        tangent_lsp.grad(_with_a_try)
    assert str(error.value).startswith(f"{__file__}:"), str(error.value)
    assert "try statement" in str(error.value)


def test_a_write_through_a_row_in_a_loop_names_the_users_variables():
    source = _source("for i in range(3):\n        x = x * 2\n        y = x[0]\n        y[0] = 3.0\n"
                     "    return np.sum(x)")
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "'x' is read after 'y', a view of it (y = x[0])" in info.value.message
    assert "y = x[0].copy()" in info.value.hint


def test_error_columns_count_characters():
    source = "import numpy as np\n\n\ndef f(x):\n    ééé = 1.0; y = np.sin(x, out=x)\n    return np.sum(y)\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f", path="model.py")
    assert info.value.format().startswith("model.py:5:34: ")


# --- text and imports the engine must report, never raise on (a server search's cases) ------


def test_text_python_cannot_encode_is_a_diff_error():
    with pytest.raises(DiffError) as info:
        derive("import numpy as np\n\ndef f\ud800(x):\n    return x\n", "f")
    assert "cannot be read as Python" in info.value.message


def test_a_module_importing_main_without_a_spec_is_read_as_usual(monkeypatch):
    """``tangent-lsp serve`` runs as a script: its ``__main__`` has no spec, and asking
    importlib for one raised ValueError."""
    import sys

    monkeypatch.setattr(sys.modules["__main__"], "__spec__", None)
    source = "import numpy as np\nimport __main__\n\n\ndef f(x):\n    return np.sum(__main__.g(x))\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "no derivative rule for '__main__.g'" in info.value.message


@pytest.mark.parametrize("depth, compiles", [(99, True), (100, False)])
def test_a_derivative_nested_deeper_than_python_compiles_is_reported(depth, compiles):
    expression = "x"
    for _ in range(depth):
        expression = f"(x if x > 0 else {expression})"
    source = f"import numpy as np\n\n\ndef f(x):\n    return np.sum({expression})\n"
    if compiles:
        compile(derive(source, "f").code, "<derivative>", "exec")
        return
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "Python compiles at most 100" in info.value.message


def svd_of_a_symmetric_matrix(x):
    return np.sum(np.linalg.svd(x, hermitian=True, compute_uv=False))


def test_an_svd_told_its_matrix_is_symmetric_is_reported():
    """``hermitian=True`` makes NumPy read one triangle through ``eigh``: the general
    SVD's derivative would be wrong entry by entry (and for u and vh along symmetric
    directions too)."""
    for differentiate in (tangent_lsp.grad, tangent_lsp.jvp):
        with pytest.raises(DiffError) as info:
            differentiate(svd_of_a_symmetric_matrix)
        assert "hermitian=True" in info.value.message and "eigh" in info.value.hint


@pytest.mark.parametrize("call", ["ACTS['tanh'](x)", "ACT_LIST[1](x)", "getattr(np, 'tanh')(x)"])
def test_a_function_picked_from_a_container_is_named_in_the_error(call):
    """Hunt 43: the message said "cannot tell what 'this call' is", and the hint to define
    it at the top of the module, where it was."""
    source = ("import numpy as np\n\nACTS = {'tanh': np.tanh}\nACT_LIST = [np.tanh, np.sin]\n\n"
              f"def f(x):\n    return np.sum({call})\n")
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    shown = call[:-3]
    assert info.value.message.startswith(f"{shown} is a function picked when the code runs")
    assert f"not through {shown}" in info.value.hint and (info.value.line, info.value.col) == (7, 18)


def test_a_flag_held_in_a_variable_is_reported_as_such():
    """``hermitian=h``: the message said ``with hermitian=True``, which the code does not
    say (hunt 42)."""
    source = "import numpy as np\n\ndef f(x, h):\n    return np.sum(np.linalg.pinv(x, hermitian=h))\n"
    with pytest.raises(DiffError) as info:
        derive(source, "f")
    assert "with hermitian= held in a variable, which may be True (hermitian=True" in (
        info.value.message
    )


def test_a_name_a_star_import_may_bind_is_asked_for_by_name():
    """``from numpy import *``: the names it binds are not followed statically; the hint
    said to import ``sin`` at the top of the module, which it was."""
    source = "from numpy import *\n\ndef f(x):\n    return sum(sin(x))\n"
    with pytest.raises(DiffError) as error:
        tangent_lsp.derive(source, "f")
    assert "cannot tell what 'sin' is" in str(error.value)
    assert "from numpy import sin" in str(error.value) and "`*` import" in str(error.value)


def test_an_error_whose_line_was_left_blank_keeps_its_column():
    """The run-time path reads a file with the lines of other functions left blank: a rule
    reported there printed column 1 (counted in the blank line), where the command line
    said 5."""
    error = DiffError("rule", "m", path="a.py", line=2, col=4).read_in("a.py", ["x = 1", ""])
    assert error.format().startswith("a.py:2:5:")
    error = DiffError("rule", "m", path="a.py", line=2, col=6).read_in("a.py", ["", "y = ñ + 1"])
    assert error.format().startswith("a.py:2:6:")  # counted in characters where it can be
