"""Stage 7b, --with-code: a context's monolith modules -> copies in its service whose calls into
other contexts become calls of the generated clients or published events (LibCST: comments and
formatting kept); what cannot be rewritten safely stays, marked with a comment naming the plan
entry.

Pure: the pipeline reads the monolith's text and hands it in as `ModuleSource` values.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper

from decomposer import wire
from decomposer.models import (
    CopiedModule,
    ModuleSource,
    RewriteNote,
    RewriteResult,
    ServiceMigration,
)
from decomposer.scaffold.boundary import Boundary
from decomposer.scaffold.crossings import OUTBOUND, CrossingAnalysis, Replacement

# Public functions


def migrate_service(boundary: Boundary) -> ServiceMigration:
    """Copy the service's modules and symbols under `<package>/monolith/`, rewritten."""
    service = boundary.service
    root = f"services/{service.name}/{service.package}/monolith"
    copies = []
    for module in service.modules:
        source = boundary.sources[module]
        relative = module.replace(".", "/") + ("/__init__.py" if source.is_package else ".py")
        copies.append(
            CopiedModule(
                source=module,
                path=source.path,
                destination=f"{root}/{relative}",
                result=rewrite_module(source, boundary=boundary),
            )
        )
    tops = {m.split(".")[0] for m in service.modules}
    for module, names in _symbols_by_module(service.symbols).items():
        source = boundary.sources[module]
        stem = _symbol_file(module, service.symbols, taken=tops)
        copies.append(
            CopiedModule(
                source=f"{module}:{', '.join(names)}",
                path=source.path,
                destination=f"{root}/{stem}.py",
                result=rewrite_module(source, boundary=boundary, keep=frozenset(names)),
            )
        )
    moved = set(service.modules)
    ancestors = {m.rsplit(".", i)[0] for m in moved for i in range(1, m.count(".") + 1)}
    return ServiceMigration(
        service=service.name,
        package=service.package,
        copies=tuple(sorted(copies, key=lambda c: c.destination)),
        packages=tuple(
            f"{root}/{a.replace('.', '/')}/__init__.py" for a in sorted(ancestors - moved)
        ),
    )


def rewrite_module(
    source: ModuleSource, *, boundary: Boundary, keep: frozenset[str] | None = None
) -> RewriteResult:
    """One module with its crossing calls rewritten and the rest marked.

    With `keep`, only those top-level classes and functions (and the imports) are kept: the
    symbols of a split module; names of the module they use are imported from it.
    """
    if keep is None and not boundary.may_cross(source):
        return RewriteResult(code=source.text)
    cached = boundary.trees.get(source.module)
    try:
        wrapper = (
            cached[1]
            if cached and cached[0] == source.text
            else MetadataWrapper(cst.parse_module(source.text), unsafe_skip_copy=True)
        )
    except cst.ParserSyntaxError as exc:
        note = RewriteNote(
            location=f"{source.path}:{exc.raw_line}",
            context=boundary.service.name,
            target=source.module,
            kind="parse-error",
            detail=f"not copied as rewritten code: {exc.message}",
        )
        return RewriteResult(code=source.text, left=(note,))
    boundary.trees[source.module] = (source.text, wrapper)
    analysis = CrossingAnalysis(source, boundary=boundary, keep=keep)
    wrapper.visit(analysis)
    changed = wrapper.module.visit(_Apply(analysis))
    imports = []
    if analysis.kept_from_module:
        imports.append(f"from {source.module} import {', '.join(analysis.kept_from_module)}")
    if analysis.replacements:
        alias = f" as {analysis.outbound}" if analysis.outbound != OUTBOUND else ""
        imports.append(f"from {boundary.service.package} import {OUTBOUND}{alias}")
    code = _with_imports(changed, imports).code
    return RewriteResult(
        code=code, rewritten=_sorted(analysis.rewritten), left=_sorted(analysis.left)
    )


# Private functions


def _sorted(notes: list[RewriteNote]) -> tuple[RewriteNote, ...]:
    return tuple(
        sorted(notes, key=lambda n: (int(n.location.rpartition(":")[2]), n.kind, n.target))
    )


def _symbols_by_module(symbols: tuple[str, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for symbol in sorted(symbols):
        module, _, name = symbol.partition(":")
        grouped.setdefault(module, []).append(name.split(".")[0])
    return {module: sorted(set(names)) for module, names in grouped.items()}


def _symbol_file(module: str, symbols: tuple[str, ...], *, taken: set[str]) -> str:
    """`models` for shop.models, or `shop_models` when another split module or a copied
    top-level package already has that name."""
    last = module.rpartition(".")[2]
    others = {s.partition(":")[0] for s in symbols} - {module}
    if last in taken or any(o.rpartition(".")[2] == last for o in others):
        return module.replace(".", "_")
    return last


class _Apply(cst.CSTTransformer):
    """Applies the decisions of `CrossingAnalysis` to the tree it analyzed."""

    def __init__(self, analysis: CrossingAnalysis) -> None:
        super().__init__()
        self.analysis = analysis

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        if original_node in self.analysis.dropped:
            return cst.RemovalSentinel.REMOVE
        result = super().on_leave(original_node, updated_node)
        comments = self.analysis.markers.get(original_node)
        if comments and isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            lines = [cst.EmptyLine(comment=cst.Comment(text)) for text in comments]
            return result.with_changes(leading_lines=[*result.leading_lines, *lines])
        return result

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        replacement = self.analysis.replacements.get(original_node)
        if replacement is None:
            return updated_node
        return _build(replacement, updated_node, self.analysis.outbound)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(original_node.names, cst.ImportStar) or isinstance(
            updated_node.names, cst.ImportStar
        ):
            return updated_node
        names = self._kept(original_node.names, updated_node.names)
        if names is None:
            return updated_node
        return updated_node.with_changes(names=names) if names else cst.RemovalSentinel.REMOVE

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        names = self._kept(original_node.names, updated_node.names)
        if names is None:
            return updated_node
        return updated_node.with_changes(names=names) if names else cst.RemovalSentinel.REMOVE

    def _kept(
        self, original: Sequence[cst.ImportAlias], updated: Sequence[cst.ImportAlias]
    ) -> list[cst.ImportAlias] | None:
        removed = self.analysis.removed_aliases
        if not any(alias in removed for alias in original):
            return None
        kept = [new for old, new in zip(original, updated, strict=True) if old not in removed]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return kept


def _build(replacement: Replacement, call: cst.Call, outbound: str) -> cst.BaseExpression:
    """The new call, keeping the argument expressions and the layout of the old one."""
    kind, name = replacement.kind, replacement.name
    if kind in ("emit", "handler"):
        position = 1 if kind == "emit" else 0
        payload = call.args[position] if len(call.args) > position else None
        func = cst.parse_expression(f"{outbound}.events().{name}")
        args = [payload] if payload else [cst.Arg(cst.Dict([]))]
        return call.with_changes(func=func, args=args)
    if kind == "sqs":
        elements = []
        for index, arg in enumerate(call.args):
            elements.append(
                cst.DictElement(
                    key=cst.SimpleString(f'"{replacement.params[index]}"'),
                    value=arg.value,
                    comma=arg.comma,
                )
            )
        last_space = call.args[-1].whitespace_after_arg if call.args else cst.SimpleWhitespace("")
        payload_dict = cst.Dict(
            elements,
            lbrace=cst.LeftCurlyBrace(whitespace_after=call.whitespace_before_args),
            rbrace=cst.RightCurlyBrace(whitespace_before=last_space),
        )
        func = cst.parse_expression(f"{outbound}.events().{name}")
        return cst.Call(func=func, args=[cst.Arg(payload_dict)])
    # A REST call: the typed client method takes each parameter as a keyword argument.
    func = cst.parse_expression(f"{outbound}.clients().{replacement.context}.{name}")
    args = [
        arg.with_changes(
            keyword=cst.Name(wire.attribute(replacement.params[index])),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        for index, arg in enumerate(call.args)
    ]
    new: cst.BaseExpression = call.with_changes(func=func, args=args)
    return cst.Attribute(value=new, attr=cst.Name("result")) if replacement.uses_result else new


def _with_imports(module: cst.Module, imports: list[str]) -> cst.Module:
    """`imports` added after the module's leading imports (after `from __future__`, the
    docstring and the imports already there). LibCST's AddImportsVisitor would also merge
    them into existing statements, but runs a scope analysis of its own per module, a third of
    the time of --with-code; these names are never imported yet."""
    if not imports:
        return module
    body = list(module.body)
    at = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        first = statement.body[0]
        is_docstring = index == 0 and isinstance(first, cst.Expr)
        if isinstance(first, (cst.Import, cst.ImportFrom)) or is_docstring:
            at = index + 1
        else:
            break
    added = [cst.parse_statement(line + "\n") for line in imports]
    return module.with_changes(body=[*body[:at], *added, *body[at:]])
