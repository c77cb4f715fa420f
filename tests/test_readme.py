"""The README's sample output is what the engine prints today."""

import re
from pathlib import Path

import tangent_lsp

README = Path(__file__).resolve().parents[1] / "README.md"


def test_generated_example_in_the_readme_is_current():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    example = blocks[0]
    function = example[example.index("def loss"):].split("\n\n")[0] + "\n"
    printed = text.split("<!-- generated-example -->\n```python\n", 1)[1].split("```", 1)[0]
    derivative = tangent_lsp.derive("import numpy as np\n\n" + function, "loss")
    assert printed == "\n".join(derivative.imports) + "\n\n" + derivative.code


RNN = """import numpy as np


def rnn(h0, W, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)
"""


def _block_starting(text: str, opening: str) -> str:
    start = text.index("```python\n" + opening) + len("```python\n")
    return text[start:text.index("```", start)]


def test_the_loop_and_forward_mode_samples_are_current():
    text = README.read_text(encoding="utf-8")
    rnn = tangent_lsp.derive(RNN, "rnn", wrt=("W",)).code
    assert _block_starting(text, "def drnn_dW(") == rnn
    example = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    function = example[example.index("def loss"):].split("\n\n")[0] + "\n"
    forward = tangent_lsp.derive("import numpy as np\n\n" + function, "loss", mode="forward").code
    assert _block_starting(text, "def tloss_dW(") == forward


def test_the_example_runs_as_written(tmp_path):
    example = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[0]
    path = tmp_path / "readme_example.py"
    path.write_text(example.replace("verbose=1", "verbose=0"))
    namespace: dict = {"__name__": "readme_example", "__file__": str(path)}
    exec(compile(example.replace("verbose=1", "verbose=0"), str(path), "exec"), namespace)
    assert namespace["dW"].shape == namespace["W"].shape
