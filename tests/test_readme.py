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
