"""Parsing from several threads at once (the language server's workers) never fails."""

import threading

from tangent_lsp.engine.parse import literal, parse_python


def test_concurrent_parses_all_succeed():
    source = "\n".join(f"def f{i}(x):\n    return ((x + {i}) * (x - {i})) ** 2\n" for i in range(400))
    errors: list[BaseException] = []
    results: list[int] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(len(parse_python(source).body))
                assert literal("'a' 'b'") == "ab"
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [400] * 30
