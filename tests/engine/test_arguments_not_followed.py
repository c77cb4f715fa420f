"""A call whose rule does not follow one of its arguments is reported when that argument
varies, also when the others do not (hunt 31: ``np.cov(a, b)`` with only ``b`` varying gave a
zero gradient)."""

import numpy as np
import pytest
from scipy.special import logsumexp

import tangent_lsp
from tangent_lsp.engine import DiffError

A = np.array([0.3, -1.2, 0.8, 0.5])


def cov_pair(b):
    return np.sum(np.cov(A, b))


def corr_pair(b):
    return np.sum(np.corrcoef(A, b))


def weighted_lse(w):
    return logsumexp(A, b=w)


def weighted_cov(w):
    return np.sum(np.cov(np.vstack([A, A ** 2]), aweights=w))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("f, says", [
    (cov_pair, "a second set of variables (y=)"), (corr_pair, "a second set of variables (y=)"),
    (weighted_lse, "weights (b=)"), (weighted_cov, "observation weights (aweights=)"),
])
def test_an_argument_the_rule_does_not_follow_is_reported(f, says, mode):
    derive = tangent_lsp.grad if mode == "reverse" else tangent_lsp.jvp
    with pytest.raises(DiffError) as error:
        derive(f)
    assert says in error.value.message
