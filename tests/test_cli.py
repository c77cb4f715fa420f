"""The command line, run as a real subprocess: ``python -m tangent_lsp ...``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tangent_lsp", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def module(tmp_path: Path) -> Path:
    path = tmp_path / "model.py"
    path.write_text(
        textwrap.dedent(
            """\
            import numpy as np


            def square(x):
                return x * x


            def loss(w, x):
                return np.sum(np.tanh(x * w))


            def gen(x):
                y = x * 2.0
                yield y
            """
        )
    )
    return path


def test_help_and_version():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "grad" in result.stdout and "serve" in result.stdout
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.match(r"tangent-lsp \S+", result.stdout)


def test_grad_prints_a_derivative(module: Path):
    result = run_cli("grad", f"{module}::square")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^def \w+\(", result.stdout, re.MULTILINE), result.stdout
    compile(result.stdout, "<derivative>", "exec")


def test_grad_options_are_passed(module: Path):
    result = run_cli("grad", f"{module}::loss", "--wrt", "w,x", "--preserve-result")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^def \w+\(", result.stdout, re.MULTILINE)
    result = run_cli("grad", f"{module}::loss", "--no-optimize")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^def \w+\(", result.stdout, re.MULTILINE)


def test_forward_mode_reaches_the_engine(module: Path):
    # Forward mode may not be built yet; either way the answer is a derivative
    # or a located error, never a crash.
    result = run_cli("grad", f"{module}::loss", "--mode", "forward")
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode == 0:
        assert re.search(r"^def \w+\(", result.stdout, re.MULTILINE)
    else:
        assert result.returncode == 2
        assert re.search(re.escape(str(module)) + r":\d+:\d+: .*forward", result.stderr)


def test_grad_never_runs_the_file(tmp_path: Path):
    path = tmp_path / "boom.py"
    marker = tmp_path / "ran"
    path.write_text(
        f"open({str(marker)!r}, 'w').close()\n\n\ndef f(x):\n    return x * x\n"
    )
    run_cli("grad", f"{path}::f")
    assert not marker.exists()


def test_unsupported_construct_is_located(module: Path):
    result = run_cli("grad", f"{module}::gen")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert re.search(re.escape(str(module)) + r":\d+:\d+:", result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_missing_function(module: Path):
    result = run_cli("grad", f"{module}::nope")
    assert result.returncode == 2
    assert "nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path: Path):
    result = run_cli("grad", f"{tmp_path / 'absent.py'}::f")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_target_without_function(module: Path):
    result = run_cli("grad", str(module))
    assert result.returncode == 2
    assert "FILE::FUNC" in result.stderr


def test_syntax_error_is_located(tmp_path: Path):
    path = tmp_path / "broken.py"
    path.write_text("def f(x):\n    return (x *\n")
    result = run_cli("grad", f"{path}::f")
    assert result.returncode == 2
    assert re.search(re.escape(str(path)) + r":\d+:\d+:", result.stderr), result.stderr


def test_serve_help():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    assert "--tcp" in result.stdout


def test_files_as_python_reads_them_and_clear_refusals(tmp_path: Path):
    body = "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.sin(x))  # é\n"
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + body.encode())
    (tmp_path / "latin.py").write_bytes(("# -*- coding: latin-1 -*-\n" + body).encode("latin-1"))
    for name in ("bom.py", "latin.py"):
        result = run_cli("grad", f"{tmp_path / name}::f")
        assert result.returncode == 0 and "bx = bf * np.cos(x)" in result.stdout, result.stderr
    (tmp_path / "adir.py").mkdir()
    result = run_cli("grad", f"{tmp_path / 'adir.py'}::f")
    assert result.returncode != 0 and "a directory" in result.stderr
    (tmp_path / "twice.py").write_text("import numpy as np\n\n\ndef f(x, y):\n    return np.sum(x * y)\n\n\n"
                                       "async def g(x):\n    return x\n")
    result = run_cli("grad", f"{tmp_path / 'twice.py'}::f", "--wrt", "x,x")
    assert result.returncode != 0 and "named twice" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("grad", f"{tmp_path / 'twice.py'}::g")
    assert result.returncode != 0 and "async def" in result.stderr and "Traceback" not in result.stderr


def test_wrt_by_position_repeated_and_normalized_names(module: Path, tmp_path: Path):
    by_name = run_cli("grad", f"{module}::loss", "--wrt", "w,x")
    assert by_name.returncode == 0, by_name.stderr
    for wrt in (["--wrt", "0,1"], ["--wrt", "w", "--wrt", "1"]):
        result = run_cli("grad", f"{module}::loss", *wrt)
        assert result.returncode == 0, result.stderr
        assert result.stdout == by_name.stdout
    ligature = tmp_path / "fit.py"  # Python reads `ﬁt` as `fit` (NFKC)
    ligature.write_text("import numpy as np\n\n\ndef ﬁt(x):\n    return np.sum(x * x)\n", encoding="utf-8")
    result = run_cli("grad", f"{ligature}::ﬁt")
    assert result.returncode == 0, result.stderr
    assert "def dfit_dx(" in result.stdout


def test_a_reader_that_stops_early_is_no_error(module: Path):
    command = [sys.executable, "-m", "tangent_lsp", "grad", f"{module}::loss"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.close()  # the reader is gone before anything is written
        errors = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0
    assert "BrokenPipeError" not in errors and "Traceback" not in errors


def test_expressions_too_deep_are_located_in_the_file(tmp_path: Path):
    """A sum of 500 terms (parsed, too deep to convert) and of 5000 (too deep for Python's
    own parser): each a FILE:LINE:COL line and status 2, not `<source>` or a traceback."""
    for terms in (500, 5000):
        path = tmp_path / f"long{terms}.py"
        path.write_text("def f(x):\n    return " + " + ".join(["x"] * terms) + "\n")
        result = run_cli("grad", f"{path}::f")
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"{path}:"), result.stderr
        assert "Traceback" not in result.stderr


def test_an_output_that_cannot_be_written_is_a_clean_failure(module: Path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "tangent_lsp", "grad", f"{module}::loss"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )
    assert result.returncode == 1 and "cannot write the derivative" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_out_of_range_is_a_clean_failure():
    result = run_cli("serve", "--tcp", "--port", "99999")
    assert result.returncode == 1 and "cannot listen on" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_function_under_an_if_says_why_it_is_not_differentiated(tmp_path: Path):
    path = tmp_path / "conditional.py"
    path.write_text("import numpy as np\nUSE = True\nif USE:\n    def cond(x):\n"
                    "        return np.sum(x)\n")
    result = run_cli("grad", f"{path}::cond")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:4:5: 'cond' is not defined at the top level")


def test_a_device_is_read_as_a_file_not_reported_missing():
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null on this system")
    result = run_cli("grad", "/dev/null::f")
    assert result.returncode == 2 and "no top-level function named 'f'" in result.stderr
