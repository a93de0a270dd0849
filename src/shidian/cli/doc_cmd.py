"""`shidian doc`: official documents (公文) from data, for scripts and batch jobs (no Django)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer

from shidian.docgen.shipped import KINDS
from shidian.engine.errors import EngineInputError

doc_app = typer.Typer(help="Official documents (通知, 通报, 通报表彰, 汇编) as .docx and .pdf.")


def _fail(message: str) -> None:
    # main() prints the message and exits with status 2, as for every bad input.
    raise EngineInputError(message)


def _load(path: Path) -> dict:
    if not path.is_file():
        _fail(f"data file not found: {path}")
    text = path.read_text("utf-8-sig")
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (ValueError, ImportError) as exc:
        _fail(f"{path}: cannot parse ({exc})")
    except Exception as exc:  # noqa: BLE001 - yaml.YAMLError and friends
        _fail(f"{path}: cannot parse ({exc})")
    if not isinstance(data, dict):
        _fail(f"{path}: the data must be a mapping (JSON object)")
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@doc_app.command("render")
def render(
    source: str = typer.Argument(
        ..., help="notice | bulletin | commendation | booklet, or a .docx"
    ),
    data_file: Path = typer.Argument(..., help="DATA.json or DATA.yaml"),
    output: Path = typer.Option(..., "--output", "-o", help="OUT.docx or OUT.pdf"),
    kind: str = typer.Option("", "--type", help="document type of a .docx template"),
    timeout: float = typer.Option(180, help="LibreOffice timeout in seconds"),
    soffice: str = typer.Option("", help="LibreOffice binary (default: soffice on PATH)"),
) -> None:
    """Render a document; the PDF is made from the .docx by LibreOffice headless."""
    from shidian.docgen import convert
    from shidian.docgen.errors import DocgenError
    from shidian.docgen.render import render_docx
    from shidian.docgen.validate import check_template

    data = _load(data_file)
    template = None
    if source in KINDS:
        kind = source
    else:
        path = Path(source)
        if not path.is_file():
            _fail(f"{source}: neither a document type ({', '.join(KINDS)}) nor a .docx file")
        kind = kind or str(data.get("type") or "notice")
        if kind not in KINDS:
            _fail(f"--type must be one of {', '.join(KINDS)}")
        template = path.read_bytes()
    suffix = output.suffix.lower()
    if suffix not in {".docx", ".pdf"}:
        _fail("--output must end in .docx or .pdf")
    try:
        if template is not None:
            check_template(template, kind=kind, filename=Path(source).name)
        docx = render_docx(kind, data, template=template, base_dir=data_file.parent)
        binary = soffice or None
        with tempfile.TemporaryDirectory(prefix="shidian-doc-") as tmp:
            src = Path(tmp) / "document.docx"
            src.write_bytes(docx)
            if kind == "booklet" and convert.available(binary):
                # The table of contents gets its page numbers from LibreOffice.
                convert.update_toc_and_export(
                    src,
                    docx_out=output if suffix == ".docx" else None,
                    pdf_out=output if suffix == ".pdf" else None,
                    soffice=binary,
                    timeout=timeout,
                )
            elif suffix == ".pdf":
                convert.docx_to_pdf(src, output, soffice=binary, timeout=timeout)
            else:
                if kind == "booklet":
                    typer.echo(
                        "warning: LibreOffice not found, the table of contents is not filled in",
                        err=True,
                    )
                output.parent.mkdir(parents=True, exist_ok=True)
                tmp_out = output.with_name(f".{output.name}.part")
                tmp_out.write_bytes(docx)
                tmp_out.replace(output)
    except DocgenError as exc:
        _fail(exc.message)
    typer.echo(f"wrote {output}")


@doc_app.command("template")
def template(
    kind: str = typer.Argument(..., help="notice | bulletin | commendation | booklet"),
    output: Path = typer.Option(..., "--output", "-o", help="OUT.docx"),
) -> None:
    """Write the shipped template of a type, to edit in Word or WPS."""
    from shidian.docgen.shipped import build_template

    if kind not in KINDS:
        _fail(f"type must be one of {', '.join(KINDS)}")
    output.write_bytes(build_template(kind))
    typer.echo(f"wrote {output}")


@doc_app.command("check")
def check(
    template_file: Path = typer.Argument(..., help="a .docx template"),
    kind: str = typer.Option("notice", "--type", help="its document type"),
) -> None:
    """Validate a template: .docx, no macros, no zip bomb, placeholders known and well formed."""
    from shidian.docgen.errors import DocgenError
    from shidian.docgen.validate import check_template

    if not template_file.is_file():
        _fail(f"file not found: {template_file}")
    try:
        report = check_template(template_file.read_bytes(), kind=kind, filename=template_file.name)
    except DocgenError as exc:
        _fail(exc.message)
    typer.echo("ok: placeholders " + ", ".join(sorted(report.fields)))


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the root app."""
    app.add_typer(doc_app, name="doc")
