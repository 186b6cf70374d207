"""Bytes to text, and parse failures described for people (encodings, Python 2, newer syntax)."""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize

from decomposer.models import (
    FailureReason,
    ParseFailure,
)

_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)


def _decode(path: str, content: bytes) -> str | ParseFailure:
    nul = content.find(b"\x00")
    if nul >= 0:
        line, col = _position_of(content, nul)
        return ParseFailure(
            path=path,
            line=line,
            col=col,
            reason="nul-bytes",
            message="file contains a NUL byte (binary or corrupted file)",
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(content).readline)
    except SyntaxError as exc:
        # detect_encoding also fails on a bad byte in the first two lines; only a real
        # declaration is "bad", otherwise the decode below says where the byte is.
        if not _CODING_COOKIE.search(b"\n".join(content.split(b"\n", 2)[:2])):
            encoding = "utf-8"
        else:
            return ParseFailure(
                path=path,
                line=1,
                col=1,
                reason="encoding",
                message=f"bad coding declaration: {exc}",
            )
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _position_of(content, exc.start)
        return ParseFailure(
            path=path,
            line=line,
            col=col,
            reason="encoding",
            message=f"byte 0x{content[exc.start]:02x} is not valid {encoding}; "
            "declare the file's encoding with a '# -*- coding: ... -*-' line",
        )
    except LookupError:
        return ParseFailure(
            path=path, line=1, col=1, reason="encoding", message=f"unknown encoding {encoding!r}"
        )


def _position_of(content: bytes, offset: int) -> tuple[int, int]:
    line_start = content.rfind(b"\n", 0, offset) + 1
    return content.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _syntax_failure(path: str, text: str, exc: SyntaxError) -> ParseFailure:
    line = max(exc.lineno or 1, 1)
    col = max(exc.offset or 1, 1)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message = exc.msg
    reason: FailureReason = "syntax-error"
    if "print" in message or "exec" in message or _looks_like_python2(source_line):
        reason = "python2"
        message = f"Python 2 syntax ({message}); port the file to Python 3 or exclude it"
    elif _parses_as_newer_python(text):
        reason = "newer-syntax"
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        message = (
            f"syntax newer than the running Python {running} ({message}); "
            "run decomposer with the Python the project targets"
        )
    else:
        message = f"syntax error: {message}"
    return ParseFailure(
        path=path, line=line, col=col, reason=reason, message=message, source_line=source_line
    )


def _looks_like_python2(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("print ", "exec ")) or (
        stripped.startswith("except ") and "," in stripped and " as " not in stripped
    )


def _without_new_syntax(text: str) -> ast.Module | None:
    """The module with PEP 695 syntax (type parameters, `type X = ...`) rewritten so that the
    running Python parses it, on the same lines; None if that does not make it parse.

    libcst parses newer grammars than the interpreter running it, and rewrites the tree without
    losing anything else, so one such construct does not cost the facts of a whole file.
    """
    import libcst

    class StripTypeParameters(libcst.CSTTransformer):
        def leave_FunctionDef(
            self, original_node: libcst.FunctionDef, updated_node: libcst.FunctionDef
        ) -> libcst.FunctionDef:
            return updated_node.with_changes(type_parameters=None)

        def leave_ClassDef(
            self, original_node: libcst.ClassDef, updated_node: libcst.ClassDef
        ) -> libcst.ClassDef:
            return updated_node.with_changes(type_parameters=None)

        def leave_TypeAlias(
            self, original_node: libcst.TypeAlias, updated_node: libcst.TypeAlias
        ) -> libcst.Assign:
            target = libcst.AssignTarget(target=updated_node.name)
            return libcst.Assign(targets=[target], value=updated_node.value)

    for version in ("3.13", "3.12"):
        try:
            module = libcst.parse_module(
                text, config=libcst.PartialParserConfig(python_version=version)
            )
            code = module.visit(StripTypeParameters()).code
            if code.count("\n") != text.count("\n"):
                return None  # multi-line type parameters: line numbers would drift
            return ast.parse(code)
        except Exception:  # libcst raises several types; any means "not this way"
            continue
    return None


def _parses_as_newer_python(text: str) -> bool:
    import libcst  # imported here: only files that fail to parse pay for it

    for version in ("3.14", "3.13", "3.12"):
        try:
            libcst.parse_module(text, config=libcst.PartialParserConfig(python_version=version))
        except Exception:
            continue
        return True
    return False
