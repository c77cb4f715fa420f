"""A row of unknown rank read after a write into its array (``r = Y[0]; Y[0] = v; ... r``)
is checked where the derivative runs (row_guards.py): a vector's element (a number the
write left alone) gives the right derivative, a matrix's row (a view the write changed)
the error the engine reports where the source shows the rank, not a wrong gradient."""

import inspect

import numpy as np
import pytest

import tangent_lsp
from tangent_lsp.runtime import ViewWrittenError
from tests.oracle import assert_gradients_match, assert_jvp_matches


def row_then_write(Y):
    Y = Y * 1.0
    r = Y[0]
    Y[0] = 3.0 * Y[0]
    return np.sum(r * r) + np.sum(Y * Y)


def swapped(x):  # a vector's elements, read before the writes: numbers
    x = x * 1.0
    a = x[0]
    x[0] = x[1]
    x[1] = a
    return np.sum(x * np.arange(1.0, x.shape[0] + 1.0)) * a


def in_a_loop(Y):
    Y = Y * 1.0
    total = 0.0
    for i in range(1, Y.shape[0]):
        prev = Y[i - 1]
        Y[i] = Y[i] + 0.5 * prev
        total = total + np.sum(prev * Y[i])
    return total


def two_writes(Y):  # the first write reaches r, the second does not
    Y = Y * 1.0
    r = Y[0]
    Y[0] = Y[0] * 2.0
    Y[1] = Y[1] * 2.0
    return np.sum(r * r) + np.sum(Y ** 2)


def one_branch_writes(Y, c):  # the branch taken decides
    Y = Y * 1.0
    r = Y[0]
    if c > 0:
        Y[0] = Y[0] * 2.0
    else:
        Y[1] = Y[1] * 2.0
    return np.sum(r * r) + np.sum(Y ** 2)


X = np.array([0.3, -1.2, 0.8, 2.0])
MATRIX = np.arange(6.0).reshape(2, 3) / 3.0


@pytest.mark.parametrize("f", [row_then_write, swapped, in_a_loop])
def test_a_vector_s_elements_are_differentiated(f):
    assert_gradients_match(f, (X,), autograd=False)
    assert_jvp_matches(f, (X,), autograd=False)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_matrix_s_row_read_after_the_write_raises_instead_of_a_wrong_gradient(mode):
    derivative = (tangent_lsp.grad(row_then_write) if mode == "reverse"
                  else tangent_lsp.jvp(row_then_write))
    args = (MATRIX,) if mode == "reverse" else (MATRIX, np.ones_like(MATRIX))
    with pytest.raises(ViewWrittenError, match=r"'r' is a row of 'Y' \(r = Y\[0\]\).*r = Y\[0\]\.copy\(\)"):
        derivative(*args)


def test_a_row_the_write_did_not_reach_passes_the_check():
    """``prev = Y[i - 1]`` is a view of a matrix's row, but step i writes row i: ``prev``
    keeps its values, and the derivative is right."""
    Y = np.arange(6.0).reshape(3, 2) / 4.0
    assert_gradients_match(in_a_loop, (Y,), autograd=False)
    assert_jvp_matches(in_a_loop, (Y,), autograd=False)


def rows_by_slice(Y):
    Y = Y * 1.0
    r = Y[1]
    Y[0:2] = 2.0 * Y[0:2]  # rows 0 and 1: r's too
    return np.sum(r * r)


def test_a_write_through_a_slice_that_reaches_the_row_raises():
    assert_gradients_match(rows_by_slice, (X,), autograd=False)  # a vector: numbers
    with pytest.raises(ViewWrittenError, match="'r' is a row of 'Y'"):
        tangent_lsp.grad(rows_by_slice)(np.arange(6.0).reshape(3, 2))


def test_the_check_is_written_only_where_a_row_is_read_after_a_write():
    """An element loop that reads before it writes, and reads nothing again after, has
    none (a check per step would cost what a hand-written loop does not)."""
    source = "import numpy as np\n\n\ndef iir(x, a):\n    y = x * 1.0\n" \
        "    for i in range(1, x.shape[0]):\n        y[i] = a * y[i - 1] + x[i]\n" \
        "    return np.sum(y * y)\n"
    assert "not_a_view" not in tangent_lsp.derive(source, "iir", wrt=("x", "a")).code
    code = tangent_lsp.derive("import numpy as np\n\n\n" + inspect.getsource(row_then_write),
                              "row_then_write").code
    assert code.count("not_a_view(r, Y2, 0,") == 1


def test_the_check_reads_the_region_written():
    from tangent_lsp.runtime import not_a_view

    Y = np.zeros((3, 2))
    not_a_view(Y[0], Y, 1, "row 1 written")  # another row: passes
    not_a_view(Y[0, 0], Y, 0, "an element")  # a number: passes
    not_a_view(Y[0, :1], Y, (slice(None), 1), "column 1")  # no element in common
    for index in (0, (0, slice(None)), slice(0, 2), np.array([2])):  # fancy: the whole array
        with pytest.raises(ViewWrittenError, match="written"):
            not_a_view(Y[0], Y, index, "written")


@pytest.mark.parametrize("f, extra", [(two_writes, ()), (one_branch_writes, (1.0,))])
def test_every_write_after_the_read_is_checked(f, extra):
    """Hunt 41: one write per row was remembered, the last: the first write (or the
    other branch's) went unchecked, and the gradient of a matrix was silently wrong."""
    assert_gradients_match(f, (X, *extra), autograd=False)
    with pytest.raises(ViewWrittenError):
        tangent_lsp.grad(f)(np.arange(12.0).reshape(4, 3), *extra)
    with pytest.raises(ViewWrittenError):
        tangent_lsp.jvp(f)(np.arange(12.0).reshape(4, 3), *extra, np.ones((4, 3)))


def test_the_branch_not_reaching_the_row_passes():
    Y = np.arange(12.0).reshape(4, 3) / 7.0
    assert_gradients_match(one_branch_writes, (Y, -1.0), autograd=False)


def second_name(Y):
    Y = Y * 1.0
    r = Y[0]
    q = r
    Y[0] = Y[0] * 2.0
    return np.sum(q * q)


def unpacked(Y):
    Y = Y * 1.0
    r, s = Y[0], Y[1]
    Y[0] = Y[0] * 2.0
    return np.sum(r * r) + np.sum(s)


@pytest.mark.parametrize("f", [second_name, unpacked])
def test_a_row_under_a_second_name_is_checked(f):
    """Hunt 42: `q = r` after `r = Y[0]` was not followed: for a matrix, a wrong gradient."""
    assert_gradients_match(f, (X,), autograd=False)
    with pytest.raises(ViewWrittenError):
        tangent_lsp.grad(f)(np.arange(6.0).reshape(2, 3))


def scaled_whole(Y):  # `*=` writes every row: r too, if it is a row
    Y = Y * 1.0
    r = Y[0]
    Y *= 2.0
    return np.sum(r * r) + np.sum(Y)


def kept_in_a_list(Y):
    Y = Y * 1.0
    rs = [Y[0], 1.5]
    Y[0] = 3.0 * Y[0]
    return np.sum(rs[0] * rs[0]) + np.sum(Y)


def kept_in_nested_lists(Y):
    Y = Y * 1.0
    pairs = [[Y[0]], [Y[1]]]
    Y[1] = Y[1] * 2.0
    return np.sum(pairs[1][0] * pairs[0][0])


@pytest.mark.parametrize("f", [scaled_whole, kept_in_a_list, kept_in_nested_lists])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_row_read_before_a_whole_write_or_kept_in_a_list_is_checked(f, mode):
    """Session 21: a row read before `Y *= 2.0`, or put in a list before a write into its
    array, was not checked: for a matrix, a silently wrong gradient."""
    assert_gradients_match(f, (X,), autograd=False)
    assert_jvp_matches(f, (X,), autograd=False)
    derivative = tangent_lsp.grad(f) if mode == "reverse" else tangent_lsp.jvp(f)
    args = (MATRIX,) if mode == "reverse" else (MATRIX, np.ones_like(MATRIX))
    with pytest.raises(ViewWrittenError, match=r"\.copy\(\)"):
        derivative(*args)


def test_the_message_names_the_list_and_puts_a_copy_in_it():
    with pytest.raises(ViewWrittenError) as raised:
        tangent_lsp.grad(kept_in_a_list)(MATRIX)
    assert str(raised.value).startswith(
        "'rs' holds a row of 'Y' (rs = [Y[0], 1.5]), a view, read after 'Y' was changed"
    )
    assert "put a copy in it: rs = [Y[0].copy(), 1.5]" in str(raised.value)


def test_a_copied_row_in_a_list_passes_for_a_matrix():
    def copied(Y):
        Y = Y * 1.0
        rs = [Y[0].copy()]
        Y[0] = 3.0 * Y[0]
        return np.sum(rs[0] * rs[0]) + np.sum(Y)

    assert_gradients_match(copied, (MATRIX,), autograd=False)


def appended_in_a_loop(Y):
    Y = Y * 1.0
    rows = []
    for i in range(2):
        rows.append(Y[i])
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


def listed_by_a_comprehension(Y):
    Y = Y * 1.0
    rows = [Y[i] for i in range(2)]
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


def put_in_slots(Y):
    Y = Y * 1.0
    rows = [None] * 2
    for i in range(2):
        rows[i] = Y[i]
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


def kept_in_a_dict_in_a_loop(Y):
    Y = Y * 1.0
    rows = {}
    for i in range(2):
        rows[i] = Y[i]
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


def paired_in_a_loop(Y):
    Y = Y * 1.0
    pairs = []
    for i in range(2):
        pairs.append((Y[i], i))
    Y[0] = Y[0] * 3.0
    return np.sum(pairs[1][0] * pairs[0][0])


def iterated_rows_appended(Y):
    Y = Y * 1.0
    rows = []
    for r in Y:
        rows.append(r)
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


def joined_in_a_loop(Y):  # hunt 51
    Y = Y * 1.0
    rows = []
    for i in range(2):
        rows = rows + [Y[i]]
    Y[0] = Y[0] * 3.0
    return np.sum(rows[1] * rows[0])


@pytest.mark.parametrize("f", [
    appended_in_a_loop, listed_by_a_comprehension, put_in_slots, kept_in_a_dict_in_a_loop,
    paired_in_a_loop, iterated_rows_appended, joined_in_a_loop,
])
def test_rows_collected_in_a_loop_are_all_checked(f):
    """Hunt 48: only the row the loop's name held last was checked; a write into an
    earlier one gave a matrix a silently wrong gradient."""
    assert_gradients_match(f, (X,), autograd=False)
    assert_jvp_matches(f, (X,), autograd=False)
    with pytest.raises(ViewWrittenError, match=r"\.copy\(\)"):
        tangent_lsp.grad(f)(MATRIX)
    with pytest.raises(ViewWrittenError, match=r"\.copy\(\)"):
        tangent_lsp.jvp(f)(MATRIX, np.ones_like(MATRIX))


def listed_then_written(Y):  # the derivative reads rs[0] after the write: the write is undone
    Y = Y * 1.0
    rs = [Y[0]]
    t = np.sum(rs[0] ** 2)
    Y[0] = 2.0 * Y[0]
    return t + np.sum(Y)


def listed_in_a_loop(Y):
    Y = Y * 1.0
    total = 0.0
    for i in range(Y.shape[0]):
        rs = (Y[i], Y[0])
        total = total + np.sum(rs[0] * rs[1])
        Y[i] = 0.5 * Y[i]
    return total + np.sum(Y ** 2)


@pytest.mark.parametrize("f", [listed_then_written, listed_in_a_loop])
@pytest.mark.parametrize("Y", [X, MATRIX], ids=["vector", "matrix"])
def test_a_row_kept_in_a_list_and_read_before_the_write_is_restored(f, Y):
    """Hunt 46: the backward sweep read `rs[0]`, a view of the matrix's row, after the
    write: the tape did not keep the row (nothing showed the list held a view of Y)."""
    assert_gradients_match(f, (Y,), autograd=False)
    assert_jvp_matches(f, (Y,), autograd=False)
