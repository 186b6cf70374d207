"""Bytes to text, and parse failures described for people (encodings, Python 2, newer syntax)."""

from __future__ import annotations

import ast
import codecs
import io
import keyword
import re
import sys
import tokenize

from decomposer.models import (
    FailureReason,
    ParseFailure,
)

_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
# Syntax of Pythons newer than 3.11 that libcst can parse: type parameters and `type` aliases
# (PEP 695), f-strings reusing their quote inside a replacement field or with one over several
# lines (PEP 701), template strings (PEP 750); and exception types without parentheses
# (PEP 758, Python 3.14), which the tokens alone rewrite. A file without any of these that
# `ast` rejects has a plain syntax error.
_NEWER_SYNTAX = re.compile(
    r"""^[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+\w+[ \t]*\["""
    r"""|^[ \t]*type[ \t]+\w+[ \t]*[=\[]"""
    r"""|^[ \t]*except[ \t]*\*?[ \t]+[\w.]+[ \t]*,"""
    r"""|(?<![\w.])[fF][rR]?"[^"\n]*\{[^}"\n]*"|(?<![\w.])[fF][rR]?'[^'\n]*\{[^}'\n]*'"""
    r"""|(?<![\w.])[fF][rR]?["'][^"'\n]*\{[ \t]*$"""
    r"""|(?<![\w.])(?:[tT][rR]?|[rR][tT])['"]""",
    re.MULTILINE,
)
_BRACKETS = re.compile(r"[()\[\]{}]")
# CPython's tokenizer refuses more than 200 nested brackets (MAXLEVEL); libcst's parser recurses
# once per level and overflows the C stack from about 2,000, so it never sees deeper input.
MAX_NESTING = 200
# libcst's parser slows down with the square of a chain of operators (5,000 `1 + ` take 25 s)
# in native code, where the per-file time budget (SIGALRM) cannot stop it: lines longer than
# this (generated or mangled code) never reach it.
MAX_LINE_CHARS = 2_000


def _decode(path: str, content: bytes) -> str | ParseFailure:
    """The file's text, decoded as CPython decodes a source file (PEP 263 and PEP 3120), or the
    failure CPython would report: a BOM with another coding cookie, an unknown codec, a codec
    that is not a text encoding (`rot13`), bytes the declared codec cannot decode."""
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
        head = b"\n".join(content.removeprefix(codecs.BOM_UTF8).split(b"\n", 2)[:2])
        if not _CODING_COOKIE.search(head):
            encoding = "utf-8"
        elif content.startswith(codecs.BOM_UTF8):
            return _encoding_failure(
                path,
                "a UTF-8 byte order mark and a coding declaration of another encoding"
                " (CPython refuses the file); drop one of them",
            )
        else:
            return _encoding_failure(path, f"bad coding declaration: {exc}")
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return _encoding_failure(path, f"unknown encoding {encoding!r}")
    if not codec._is_text_encoding:
        return _encoding_failure(path, f"{encoding!r} is not a text encoding")
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
    except (UnicodeError, LookupError, ValueError, TypeError) as exc:
        # codecs such as punycode raise plain UnicodeError (or worse) on arbitrary bytes
        return _encoding_failure(path, f"cannot decode as {encoding}: {exc}")


def _encoding_failure(path: str, message: str) -> ParseFailure:
    return ParseFailure(path=path, line=1, col=1, reason="encoding", message=message)


def _position_of(content: bytes, offset: int) -> tuple[int, int]:
    line_start = content.rfind(b"\n", 0, offset) + 1
    return content.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _syntax_failure(path: str, text: str, exc: SyntaxError) -> ParseFailure:
    line = max(exc.lineno or 1, 1)
    col = max(exc.offset or 1, 1)
    lines = text.splitlines()
    source_line = lines[line - 1][:240] if 0 < line <= len(lines) else ""
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
    # `except ValueError, error:` binds a variable (Python 2); Python 3.14's `except ValueError,
    # TypeError:` names types, capitalised
    last = stripped.partition(":")[0].rpartition(",")[2].strip()
    return stripped.startswith(("print ", "exec ")) or (
        stripped.startswith("except ")
        and "," in stripped
        and " as " not in stripped
        and not last[:1].isupper()
    )


def _without_new_syntax(text: str) -> ast.Module | None:
    """The module with PEP 695 syntax (type parameters, `type X = ...`) rewritten so that the
    running Python parses it, on the same lines; None if that does not make it parse.

    libcst parses newer grammars than the interpreter running it, and rewrites the tree without
    losing anything else, so one such construct does not cost the facts of a whole file. It is
    slow (minutes and gigabytes on a 2 MB file, 0.5 s to import, 40 ms for 1,000 lines) and
    overflows the stack on deep nesting, so it only sees files that `_may_be_newer_syntax` lets
    through, and of those only the ones whose rewrite the tokens cannot tell for certain.
    """
    if not _may_be_newer_syntax(text):
        return None
    rewritten = _stripped_by_tokens(text)
    if rewritten is not None and rewritten.count("\n") == text.count("\n"):
        try:
            return ast.parse(rewritten)
        except Exception:  # as for libcst's text below: then libcst decides
            pass
    for version in ("3.13", "3.12"):
        try:
            code = _stripped_by_libcst(text, version)
            if code.count("\n") != text.count("\n"):
                return None  # multi-line type parameters: line numbers would drift
            return ast.parse(code)
        except Exception:  # libcst raises several types; any means "not this way"
            continue
    return None


def _stripped_by_libcst(text: str, version: str) -> str:
    """The text with PEP 695 syntax rewritten by libcst's parser for Python `version`: type
    parameters dropped, `type X = ...` made `X = ...`; and each f-string with a replacement
    field over several lines or reusing its quote (PEP 701) triple-quoted, which older Pythons
    read on the same lines. Raises what libcst raises."""
    import libcst

    class StripTypeParameters(libcst.CSTTransformer):
        def leave_FormattedString(
            self, original_node: libcst.FormattedString, updated_node: libcst.FormattedString
        ) -> libcst.FormattedString:
            quote = updated_node.end
            if len(quote) == 1:
                inner = libcst.Module([]).code_for_node(updated_node)[len(updated_node.start) : -1]
                if "\n" in inner or re.search(rf"(?<!\\){quote}", inner):
                    return updated_node.with_changes(
                        start=updated_node.start + quote * 2, end=quote * 3
                    )
            return updated_node

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

    module = libcst.parse_module(text, config=libcst.PartialParserConfig(python_version=version))
    return module.visit(StripTypeParameters()).code


def _stripped_by_tokens(text: str) -> str | None:
    """The text libcst's rewrite in `_without_new_syntax` gives, found from the tokens alone
    (about 50x faster, and libcst is not even imported): each `[...]` of type parameters after
    `def NAME` or `class NAME` cut out, each `type NAME[...] = ` at the start of a line's
    statement replaced by `NAME = `, every other character kept, as libcst's code generation
    keeps them. None where that is not certain (no such syntax found, a type parameter that is
    not a plain name with an optional bound, a `type` statement after `:` or `;` or before one,
    a `type` alias's bracket over several lines, a tokenizer error): then libcst rewrites the
    file.

    Type parameters over several lines, which libcst's rewrite would join into one, leave their
    line breaks inside the parentheses that follow (`def f[\n T,\n](x)` becomes
    `def f(\n\nx)`), or inside `()` given to a class without bases: every line keeps its number.

    Exception types without parentheses (`except A, B:`, PEP 758) are put in parentheses: the
    blank before the first type becomes `(`, so every name keeps its column, and `)` follows
    the last. Only where each type is a (dotted) name starting with a capital letter:
    Python 2's `except ValueError, error:` binds a variable, and must still be reported."""
    if "\r" in text:
        return None  # tokenize's lines and libcst's differ on a lone carriage return
    try:
        tokens = [
            t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in _TRIVIA
        ]
    except (tokenize.TokenError, SyntaxError):
        return None
    starts = [0]
    for line in io.StringIO(text):
        starts.append(starts[-1] + len(line))
    edits: list[tuple[int, int, str]] = []
    index = 0
    while index < len(tokens) - 2:
        token, name, after = tokens[index], tokens[index + 1], tokens[index + 2]
        if token.type == tokenize.NAME and token.string == "except":
            types = _exception_types(tokens, index)
            if types is not None:
                first, last = types
                before = _offset(starts, first.start) - 1
                if text[before] not in " \t":
                    return None
                after_last = _offset(starts, last.end)
                edits += [(before, before + 1, "("), (after_last, after_last, ")")]
            index += 1
            continue
        if token.type != tokenize.NAME or not _is_name(name):
            index += 1
            continue
        if token.string in ("def", "class") and after.string == "[":
            if after.start != name.end:
                return None  # libcst refuses a space before the bracket, CPython does not
            close = _type_parameters_end(tokens, index + 2, one_line=False)
            if close is None or tokens[close + 1].start != tokens[close].end:
                return None  # nor after it
            start, stop = _offset(starts, after.start), _offset(starts, tokens[close].end)
            if tokens[close].end[0] == after.start[0]:
                edits.append((start, stop, ""))
            else:
                # Over several lines (which libcst's rewrite loses): the line breaks go into
                # the parentheses that follow, or that a class without bases gets.
                breaks = "\n" * text.count("\n", start, stop)
                following = tokens[close + 1]
                if following.string == "(":
                    edits.append((start, _offset(starts, following.end), f"({breaks}"))
                elif following.string == ":" and token.string == "class":
                    edits.append((start, stop, f"({breaks})"))
                else:
                    return None
            index = close + 1
        elif token.string == "type" and after.string in ("=", "["):
            previous = tokens[index - 1].type if index else tokenize.NEWLINE
            if previous not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                return None
            equals = index + 2
            if after.string == "[":
                close = _type_parameters_end(tokens, index + 2)
                if close is None:
                    return None
                equals = close + 1
            value = equals + 1
            if tokens[equals].string != "=" or value >= len(tokens):
                return None
            end = _statement_end(tokens, value)
            if end is None or end == value or tokens[end].type != tokenize.NEWLINE:
                return None  # an empty value, or a `;` (libcst drops the alias's semicolon)
            start, stop = _offset(starts, token.start), _offset(starts, tokens[value].start)
            if _has_comma(tokens[value:end]) or not _is_expression(
                text[stop : _offset(starts, tokens[end].start)]
            ):
                return None  # a tuple, or not an expression: libcst refuses it
            edits.append((start, stop, f"{name.string} = "))
            index = end
        else:
            index += 1
    if not edits:
        return None
    parts, done = [], 0
    for start, stop, replacement in edits:
        parts += [text[done:start], replacement]
        done = stop
    parts.append(text[done:])
    return "".join(parts)


_TRIVIA = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.ENCODING})
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")


def _is_name(token: tokenize.TokenInfo) -> bool:
    return token.type == tokenize.NAME and not keyword.iskeyword(token.string)


def _offset(starts: list[int], position: tuple[int, int]) -> int:
    return starts[position[0] - 1] + position[1]


def _type_parameters_end(
    tokens: list[tokenize.TokenInfo], open_at: int, *, one_line: bool = True
) -> int | None:
    """The index of the `]` closing the type parameters opened at `open_at`, if they are plain
    names (`T`, `*Ts`, `**P`) or names with a bound (`T: int`, on one line), all on one line
    unless not `one_line`; else None."""
    depth, close = 0, None
    for index in range(open_at, len(tokens)):
        string = tokens[index].string
        if tokens[index].type == tokenize.OP and string in _OPENING:
            depth += 1
        elif tokens[index].type == tokenize.OP and string in _CLOSING:
            depth -= 1
            if depth == 0:
                close = index
                break
        elif tokens[index].type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            return None
    if close is None or (one_line and tokens[open_at].start[0] != tokens[close].end[0]):
        return None
    parameters: list[list[tokenize.TokenInfo]] = [[]]
    depth = 0
    for token in tokens[open_at + 1 : close]:
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSING:
            depth -= 1
        elif depth == 0 and token.string == ",":
            parameters.append([])
            continue
        parameters[-1].append(token)
    if not parameters[-1] and len(parameters) > 1:
        parameters.pop()  # a trailing comma
    return close if all(map(_plain_parameter, parameters)) else None


def _plain_parameter(parameter: list[tokenize.TokenInfo]) -> bool:
    if len(parameter) == 2 and parameter[0].string in ("*", "**"):
        parameter = parameter[1:]
    if not parameter or not _is_name(parameter[0]):
        return False
    if len(parameter) == 1:
        return True
    if parameter[1].string != ":" or len(parameter) == 2:
        return False
    first, last = parameter[2], parameter[-1]
    if first.start[0] != last.end[0]:
        return False  # a bound over several lines
    line = first.line
    bound = line[first.start[1] : last.end[1]]
    if any(t.string == "=" for t in parameter):
        return False  # a default (3.13): libcst decides
    try:
        ast.parse(bound, mode="eval")
    except Exception:
        return False
    return True


def _exception_types(
    tokens: list[tokenize.TokenInfo], at: int
) -> tuple[tokenize.TokenInfo, tokenize.TokenInfo] | None:
    """The first and last token of the exception types of the `except` at `at`, where they are
    two or more capitalised (dotted) names without parentheses and without `as`, on one line
    (PEP 758); else None."""
    start = at + 2 if tokens[at + 1].string == "*" else at + 1
    names: list[list[str]] = [[]]
    index = start
    while index < len(tokens) and tokens[index].string != ":":
        token = tokens[index]
        if token.string == ",":
            names.append([])
        elif token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            names[-1].append(token.string)
        elif token.string != "." or not names[-1]:
            return None
        index += 1
    if index == len(tokens) or len(names) < 2 or tokens[start].start[0] != tokens[index].start[0]:
        return None
    if not all(parts and parts[-1][:1].isupper() for parts in names):
        return None
    return tokens[start], tokens[index - 1]


def _has_comma(tokens: list[tokenize.TokenInfo]) -> bool:
    """Whether a comma separates the tokens outside brackets."""
    depth = 0
    for token in tokens:
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSING:
            depth -= 1
        elif depth == 0 and token.string == ",":
            return True
    return False


def _is_expression(code: str) -> bool:
    """Whether `code` is one expression (not a tuple, a starred or yield expression, or `:=`),
    as a type alias's value must be: a keyword argument's value is just that."""
    try:
        call = ast.parse(f"_(_={code}\n)", mode="eval").body
    except Exception:
        return False
    return isinstance(call, ast.Call) and not call.args and len(call.keywords) == 1


def _statement_end(tokens: list[tokenize.TokenInfo], start: int) -> int | None:
    """The index of the NEWLINE or `;` ending the statement whose token `start` is, or None."""
    depth = 0
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.type == tokenize.OP and token.string in _OPENING:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSING:
            depth -= 1
        elif depth == 0 and (token.type == tokenize.NEWLINE or token.string == ";"):
            return index
        elif token.type == tokenize.ENDMARKER:
            return None
    return None


def _may_be_newer_syntax(text: str) -> bool:
    """Whether libcst may parse what `ast` refused: the text holds syntax newer than the running
    Python, no bracket nesting deeper than any Python accepts, and no line so long that libcst
    could take minutes on it."""
    if sys.version_info >= (3, 14) or not _NEWER_SYNTAX.search(text):
        return False
    if max(map(len, text.splitlines()), default=0) > MAX_LINE_CHARS:
        return False
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    return False
        else:
            depth -= 1
    return True


def _parses_as_newer_python(text: str) -> bool:
    if not _may_be_newer_syntax(text):
        return False
    import libcst  # imported here: only files that fail to parse pay for it

    for version in ("3.14", "3.13", "3.12"):
        try:
            libcst.parse_module(text, config=libcst.PartialParserConfig(python_version=version))
        except Exception:
            continue
        return True
    return False
