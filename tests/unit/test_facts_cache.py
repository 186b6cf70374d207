"""The facts cache: what a run saves, the next one loads as it was, or not at all."""

from __future__ import annotations

from pathlib import Path

from decomposer import extract, files
from decomposer.models import Binding, ImportRef, ModuleFacts, ParseFailure, SourceFile, SymbolRef


def source(path: str, module: str) -> SourceFile:
    return SourceFile(path=path, module=module, is_package=False, root=".", size_bytes=1)


def saved(tmp_path: Path) -> tuple[Path, dict[str, files.CacheEntry]]:
    facts = extract.extract_facts(
        source("shop/orders.py", "shop.orders"),
        b"from shop import billing\n\n\ndef pay(order):\n    return billing.charge(order)\n",
    )
    failure = extract.extract_facts(source("shop/broken.py", "shop.broken"), b"def (:\n")
    assert isinstance(facts, ModuleFacts) and isinstance(failure, ParseFailure)
    entries: dict[str, files.CacheEntry] = {
        "shop/orders.py": ("d1", "shop.orders", False, facts),
        "shop/broken.py": ("d2", "shop.broken", False, failure),
    }
    path = tmp_path / "cache.json"
    files.save_cache(path, entries, repo=tmp_path, tool_version="1", extractor_version="2")
    return path, entries


def test_facts_and_failures_load_back_as_they_were_saved(tmp_path: Path) -> None:
    path, entries = saved(tmp_path)
    loaded = files.load_cache(path, repo=tmp_path, tool_version="1", extractor_version="2")
    assert loaded == entries
    assert isinstance(loaded["shop/orders.py"][3], ModuleFacts)
    assert isinstance(loaded["shop/broken.py"][3], ParseFailure)


def test_the_rows_of_loaded_facts_are_their_named_tuples(tmp_path: Path) -> None:
    # (a plain tuple equals a NamedTuple of the same values: the test above cannot tell them
    # apart, and the graph stage reads the rows' fields by name)
    path, _ = saved(tmp_path)
    loaded = files.load_cache(path, repo=tmp_path, tool_version="1", extractor_version="2")
    facts = loaded["shop/orders.py"][3]
    assert isinstance(facts, ModuleFacts)
    assert [type(row) for row in facts.imports] == [ImportRef]
    assert [type(row) for row in facts.bindings] == [Binding]
    assert [type(row) for row in facts.references] == [SymbolRef]
    assert facts.references[0].target == "shop.billing.charge"
    assert facts.bindings[0].target == "shop.billing"


def test_a_row_of_the_wrong_kind_empties_the_cache(tmp_path: Path) -> None:
    path, _ = saved(tmp_path)
    text = path.read_text()
    assert '"shop.billing.charge","call","import"' in text
    path.write_text(text.replace('"call","import"', '"phone call","import"'))
    assert files.load_cache(path, repo=tmp_path, tool_version="1", extractor_version="2") == {}


def test_a_cached_result_that_is_neither_facts_nor_a_failure_empties_the_cache(
    tmp_path: Path,
) -> None:
    path, _ = saved(tmp_path)
    text = path.read_text()
    assert '"reason":"syntax-error"' in text
    path.write_text(text.replace('"reason":"syntax-error"', '"module":"shop.broken"'))
    assert files.load_cache(path, repo=tmp_path, tool_version="1", extractor_version="2") == {}


def test_a_cache_from_another_extractor_version_is_ignored(tmp_path: Path) -> None:
    path, _ = saved(tmp_path)
    assert files.load_cache(path, repo=tmp_path, tool_version="1", extractor_version="3") == {}
