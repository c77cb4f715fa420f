"""The one error type the engine raises for code it cannot differentiate."""

from __future__ import annotations

import numpy


class DiffError(Exception):
    """A construct the engine cannot differentiate, with where it is and what to do.

    ``line`` is 1-based and ``col`` 0-based (as in Python's ``ast``); ``end_line``
    and ``end_col`` delimit the construct when known, so an editor can underline
    exactly the offending code.
    """

    def __init__(
        self,
        construct: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        end_line: int | None = None,
        end_col: int | None = None,
        hint: str = "",
    ) -> None:
        self.construct = construct
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.end_line = end_line
        self.end_col = end_col
        self.hint = hint
        self.line_text: str | None = None  # the source line, to count COL in characters
        self.files_read: dict[str, float | None] = {}  # other project files read (see Derivative)
        super().__init__(self.text())

    def text(self) -> str:
        """The message and hint, without the location."""
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message

    def format(self) -> str:
        """``FILE:LINE:COL: message``, the way compilers report errors (COL 1-based)."""
        where = self.path or "<source>"
        line = self.line if self.line is not None else 0
        col = self.col or 0
        if self.line_text is not None:  # ast counts UTF-8 bytes; people count characters
            col = len(self.line_text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return f"{where}:{line}:{col + 1}: {self.text()}"

    def read_in(self, path: str | None, lines: list[str]) -> "DiffError":
        """Keep the text of the error's line when it is in this file (``lines``)."""
        if self.line_text is None and self.path == path and self.line and self.line <= len(lines):
            text = lines[self.line - 1]
            if len(text.encode("utf-8")) >= (self.col or 0):  # not a line left blank (the
                self.line_text = text  # run-time path reads a file with others' lines blanked)
        return self

    def at(self, node: object, path: str | None = None, line_offset: int = 0) -> "DiffError":
        """Fill in the location from an AST node if it is not known yet."""
        if self.line is None and getattr(node, "lineno", None) is not None:
            self.line = node.lineno + line_offset
            self.col = node.col_offset
            self.end_line = getattr(node, "end_lineno", None)
            if self.end_line is not None:
                self.end_line += line_offset
            self.end_col = getattr(node, "end_col_offset", None)
        if self.path is None:
            self.path = path
        self.args = (self.text(),)
        return self


def unsupported(construct: str, node: object, hint: str, message: str | None = None) -> DiffError:
    """A DiffError located at ``node``."""
    error = DiffError(construct, message or f"{construct} is not supported", hint=hint)
    return error.at(node)


# Fields of NumPy's named-tuple results, which the engine reads by position (the value
# looks like an array to it, so `.logabsdet` would be looked up as an ndarray attribute)
_RESULT_FIELDS = {
    "sign": ("np.linalg.slogdet", 0), "logabsdet": ("np.linalg.slogdet", 1),
    "eigenvalues": ("np.linalg.eigh", 0), "eigenvectors": ("np.linalg.eigh", 1),
    "U": ("np.linalg.svd", 0), "S": ("np.linalg.svd", 1), "Vh": ("np.linalg.svd", 2),
}


# Functions without a rule whose work one with a rule does
_INSTEAD = {
    "scipy.linalg.cho_factor": "factor with L = scipy.linalg.cholesky(a, lower=True) and "
    "solve with scipy.linalg.cho_solve((L, True), b): both are differentiated",
    "scipy.linalg.lu_factor": "solve with scipy.linalg.solve(a, b), which is differentiated",
    "scipy.linalg.lu_solve": "solve with scipy.linalg.solve(a, b), which is differentiated",
}


# a random Generator's methods that take parameters (rng.normal(mu, sigma)): no rules
_DRAWS = frozenset(
    "normal uniform lognormal exponential laplace logistic gumbel gamma beta standard_t "
    "multivariate_normal".split()
)


def no_rule_hint(key: str, hint: str) -> str:
    """``hint``, or how to read a named result's field by position when ``key`` is one."""
    if key == "builtins.zip":  # the pairs of a zip are followed only by a loop's target
        return ("a zip is differentiated only where a for loop or a comprehension goes over "
                "it, with its items unpacked in the target: {k: v for k, v in zip(ks, vs)}, "
                "for w, (x, y) in zip(ws, zip(xs, ys))")
    if key.startswith("scipy.stats."):  # distributions: logpdf, cdf, ... have no rules
        return ("write it with NumPy and scipy.special (ndtr, log_ndtr, gammaln...): "
                "norm.logpdf(x, m, s) is -0.5 * ((x - m) / s) ** 2 - np.log(s * np.sqrt(2 * "
                "np.pi)), norm.cdf(x, m, s) is ndtr((x - m) / s); or write its rule (@adjoint, "
                "@tangent_)")
    if key in _INSTEAD:
        return _INSTEAD[key]
    owner, _, attr = key.rpartition(".")
    if owner == "numpy.ndarray" and attr in _RESULT_FIELDS:
        function, position = _RESULT_FIELDS[attr]
        return f"if this is {function}(...)'s result, index it: [{position}] is .{attr}"
    if owner == "numpy.ndarray" and attr in _DRAWS:
        return (f"if this is a random Generator's .{attr}(...) (rng = np.random.default_rng()), "
                "its draws are differentiated only as the standard ones transformed: write "
                "mu + sigma * rng.standard_normal(size) for rng.normal(mu, sigma, size), "
                "low + (high - low) * rng.random(size) for rng.uniform(low, high, size)")
    if owner == "numpy.ndarray" and not hasattr(numpy.ndarray, attr):
        return (f"arrays have no '.{attr}': a local value is read as an array; call a function "
                "of a module instead (np.random.normal(...)), or compute the value outside the "
                "function and pass it in")
    return hint


def no_rule_error(rule: str, key: str, shown: str, hint: str) -> DiffError:
    """The error for an operation ``shown`` (keyed ``key``) without a ``rule`` ("derivative",
    "forward-mode"); ``hint`` when nothing more precise is known. A method or attribute
    arrays lack, read from a local value (which the engine reads as an array), is named
    for what the value must be: a list's ``.pop(i)``, an object's field."""
    owner, _, attr = key.rpartition(".")
    if owner == "numpy.ndarray" and attr not in _RESULT_FIELDS and not hasattr(
        numpy.ndarray, attr
    ):
        if attr == "pop":  # `.pop()` without an argument is read before it gets here
            return DiffError(
                "call", f"no {rule} rule for '.pop(...)' with an argument: only a list's "
                "'.pop()', taking its last item, is differentiated",
                hint="read the item and slice the rest off: a, q = q[0], q[1:] (for a "
                "dict, read d[key])",
            )
        if shown.startswith("attribute"):
            return DiffError(
                "attribute", f"no {rule} rule for the attribute '.{attr}': the fields of a "
                "namedtuple, a dataclass or another object are not differentiated, only "
                "arrays' attributes (.T, .real) are",
                hint=f"pass the values in a dict (p['{attr}']) or a tuple (unpack it: "
                "W, b = p; a namedtuple is one)",
            )
    # the qualified name says where a name comes from; a script's own (`__main__.g`) or
    # source text's (`__module__.g`) says nothing the shown name does not
    where = "" if key.startswith(("__main__.", "__module__.")) else f" ({key})"
    return DiffError("call", f"no {rule} rule for {shown}{where}", hint=no_rule_hint(key, hint))

