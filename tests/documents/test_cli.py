"""`shidian doc render|template|check` (docx only here: the PDF path is covered by the layout
tests)."""

from __future__ import annotations

import io
import subprocess
import sys

from docx import Document

from tests.documents.conftest import EXAMPLES, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shidian.cli", "doc", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_render_json_to_docx(tmp_path):
    out = tmp_path / "notice.docx"
    result = run("render", "notice", str(EXAMPLES / "notice.json"), "--output", str(out))
    assert result.returncode == 0, result.stderr
    doc = Document(io.BytesIO(out.read_bytes()))
    assert any("智慧校园" in p.text for p in doc.paragraphs)


def test_render_yaml_with_a_template_file(tmp_path):
    tpl = tmp_path / "tpl.docx"
    assert run("template", "bulletin", "--output", str(tpl)).returncode == 0
    assert run("check", str(tpl), "--type", "bulletin").returncode == 0
    data = tmp_path / "data.yaml"
    data.write_text(
        "issuer: 测试县教育局\ntitle: 关于测试的通报\ndate: 2022-01-02\nbody:\n  - 正文。\n",
        encoding="utf-8",
    )
    out = tmp_path / "b.docx"
    result = run("render", str(tpl), str(data), "--type", "bulletin", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.exists()


def test_bad_input_exits_2_with_one_message(tmp_path):
    result = run("render", "memo", str(EXAMPLES / "notice.json"), "--output", "x.docx")
    assert result.returncode == 2 and "neither a document type" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"issuer": "x"}', encoding="utf-8")
    out = tmp_path / "x.pdf"
    result = run("render", "notice", str(bad), "--output", str(out))
    assert result.returncode == 2 and "title" in result.stderr
    result = run(
        "render",
        "notice",
        str(EXAMPLES / "notice.json"),
        "--output",
        str(out),
        "--soffice",
        "/nonexistent/soffice",
    )
    assert result.returncode == 2 and "apt-get install" in result.stderr
    assert not out.exists()
    assert "Traceback" not in result.stderr
