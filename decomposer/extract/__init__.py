"""Stage 2: one source file's bytes -> ModuleFacts, or a ParseFailure that costs only that file.

The package: `decode` (bytes to text, failures for people), `module` (the collector: imports,
definitions, resolution), `scanner` (the uses of names in one scope), `frameworks` (ORM,
routes, tasks, signals, commands, units of work, events), `syntax` (AST helpers).

Parsing uses the standard library's `ast`: the analyzer must read 160k lines in a few seconds and
libcst's parser (with its metadata) is 10x-40x slower. libcst is used only to tell a file written
for a newer Python than the running one from a plain syntax error.
"""

from __future__ import annotations

import ast

from decomposer.extract.decode import _decode, _syntax_failure, _without_new_syntax
from decomposer.extract.module import _ModuleCollector
from decomposer.models import Diagnostic, ModuleFacts, ParseFailure, SourceFile

__all__ = ["EXTRACTOR_VERSION", "extract_facts"]

# Bump when the facts extracted from the same bytes change: it invalidates the facts cache.
EXTRACTOR_VERSION = "9"


# Public functions


def extract_facts(source: SourceFile, content: bytes) -> ModuleFacts | ParseFailure:
    """Parse one file and collect its imports, definitions, references, ORM facts, entry points."""
    text_or_failure = _decode(source.path, content)
    if isinstance(text_or_failure, ParseFailure):
        return text_or_failure
    text = text_or_failure
    notes: list[Diagnostic] = []
    try:
        tree = ast.parse(text, filename=source.path)
    except SyntaxError as exc:
        downgraded = _without_new_syntax(text)
        if downgraded is None:
            return _syntax_failure(source.path, text, exc)
        tree = downgraded
        notes.append(
            Diagnostic(
                code="SYN001",
                message="syntax of a newer Python (3.12+ type parameters, `type` aliases and"
                " f-strings; 3.14 exception types without parentheses): analyzed as this"
                " Python reads it, type parameters set aside, such f-strings triple-quoted;"
                " run decomposer on the project's Python for exact facts",
                line=max(exc.lineno or 1, 1),
                col=max(exc.offset or 1, 1),
            )
        )
    except ValueError as exc:
        return ParseFailure(
            path=source.path, line=1, col=1, reason="syntax-error", message=f"cannot parse: {exc}"
        )
    except RecursionError:
        return _too_deep(source)
    lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
    collector = _ModuleCollector(source=source, lines=lines)
    collector.diagnostics.extend(notes)
    try:
        collector.collect_settings(tree, text)
        return collector.collect(tree) if text else collector.facts()
    except RecursionError:
        return _too_deep(source)


def _too_deep(source: SourceFile) -> ParseFailure:
    # A MemoryError is left to the caller, who set the memory budget and names it.
    return ParseFailure(
        path=source.path,
        line=1,
        col=1,
        reason="too-deep",
        message="nesting too deep to analyze (generated code?); exclude the file",
    )
