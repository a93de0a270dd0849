"""LibreOffice headless: .docx -> .pdf, and the table of contents updated through UNO.

Each conversion runs soffice in its own process group with a timeout (a hung soffice is killed
with its children), with a profile directory per worker process and thread (two soffice processes
sharing a profile block each other), and with our fontconfig file so that the official font names
map to Debian's free fonts. Output is written to a temporary file and renamed into place, so a
failed or killed conversion leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from shidian.docgen import fonts
from shidian.docgen.errors import ConversionError

HERE = Path(__file__).resolve().parent
FONTS_CONF = fonts.FONTS_CONF
UNO_SCRIPT = HERE / "uno_update.py"
INSTALL_HINT = (
    "apt-get install -y libreoffice-writer-nogui python3-uno fonts-noto-cjk "
    "fonts-noto-cjk-extra fonts-arphic-ukai"
)
DEFAULT_TIMEOUT = 120
SYSTEM_PYTHON = "/usr/bin/python3"


def find_soffice(binary: str | None = None) -> str | None:
    """The soffice executable to use, or None when LibreOffice is not installed."""
    candidate = binary or os.environ.get("SHIDIAN_SOFFICE") or "soffice"
    if os.sep in candidate:
        return candidate if os.access(candidate, os.X_OK) else None
    return shutil.which(candidate) or shutil.which("libreoffice")


def available(binary: str | None = None) -> bool:
    return find_soffice(binary) is not None


def profile_dir(base: Path | None = None) -> Path:
    """One LibreOffice user profile per worker process and thread."""
    root = base or Path(tempfile.gettempdir()) / "shidian-lo"
    path = root / f"profile-{os.getpid()}-{threading.get_ident()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fonts.fontconfig_file())
    env.setdefault("HOME", tempfile.gettempdir())
    env["SAL_USE_VCLPLUGIN"] = "svp"
    return env


def _run(cmd: list[str], *, timeout: float, what: str) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
            start_new_session=True,  # its own process group: a timeout kills soffice's children
        )
    except FileNotFoundError as exc:
        raise ConversionError(
            f"LibreOffice not found ({cmd[0]}); to make PDFs install: {INSTALL_HINT}",
            code="soffice_missing",
        ) from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ConversionError(
            f"LibreOffice did not finish {what} within {timeout:g} s and was stopped",
            code="soffice_timeout",
            timeout=timeout,
        ) from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


_UNO_OK: dict[str, bool] = {}


def uno_available(python: str = SYSTEM_PYTHON) -> bool:
    """Whether the system Python has Debian's python3-uno (checked once per process)."""
    if python not in _UNO_OK:
        try:
            ok = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=20)
            _UNO_OK[python] = ok.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _UNO_OK[python] = False
    return _UNO_OK[python]


def docx_to_pdf(
    docx_path: Path,
    pdf_path: Path,
    *,
    soffice: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    profile_base: Path | None = None,
    python: str = SYSTEM_PYTHON,
) -> Path:
    """Convert to PDF; raise ConversionError with a clear message.

    Through UNO when python3-uno is there (it also switches hanging punctuation off, which
    LibreOffice does not read from the .docx), else with ``soffice --convert-to pdf``."""
    if find_soffice(soffice) is not None and uno_available(python):
        update_toc_and_export(
            docx_path,
            docx_out=None,
            pdf_out=pdf_path,
            soffice=soffice,
            timeout=timeout,
            profile_base=profile_base,
            python=python,
            toc=False,
        )
        return pdf_path
    binary = find_soffice(soffice)
    if binary is None:
        raise ConversionError(
            f"LibreOffice not found ({soffice or 'soffice'}); to make PDFs install: {INSTALL_HINT}",
            code="soffice_missing",
        )
    profile = profile_dir(profile_base)
    with tempfile.TemporaryDirectory(prefix="shidian-pdf-") as tmp:
        src = Path(tmp) / "document.docx"
        shutil.copyfile(docx_path, src)
        outdir = Path(tmp) / "out"
        cmd = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            str(src),
        ]
        result = _run(cmd, timeout=timeout, what="the PDF conversion")
        produced = outdir / "document.pdf"
        if result.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (result.stderr or result.stdout or b"").decode("utf-8", "replace").strip()
            raise ConversionError(
                f"LibreOffice could not convert the document (exit {result.returncode}): "
                f"{detail[:300]}",
                code="soffice_failed",
            )
        _place(produced, pdf_path)
    return pdf_path


def update_toc_and_export(
    docx_path: Path,
    *,
    docx_out: Path | None,
    pdf_out: Path | None,
    soffice: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    profile_base: Path | None = None,
    python: str = SYSTEM_PYTHON,
    toc: bool = True,
) -> None:
    """Open the .docx in LibreOffice through UNO, update every index (the table of contents gets
    real page numbers), then save the .docx and/or export the PDF.

    The UNO bridge (Debian's python3-uno) belongs to the system Python, not to our virtualenv,
    so the work runs in a small script under /usr/bin/python3."""
    binary = find_soffice(soffice)
    if binary is None:
        raise ConversionError(
            f"LibreOffice not found ({soffice or 'soffice'}); install: {INSTALL_HINT}",
            code="soffice_missing",
        )
    if not Path(python).exists():
        raise ConversionError(
            f"{python} not found: the table of contents needs python3-uno; install: {INSTALL_HINT}",
            code="uno_missing",
        )
    profile = profile_dir(profile_base)
    with tempfile.TemporaryDirectory(prefix="shidian-uno-") as tmp:
        src = Path(tmp) / "in.docx"
        shutil.copyfile(docx_path, src)
        out_docx = Path(tmp) / "out.docx"
        out_pdf = Path(tmp) / "out.pdf"
        cmd = [
            python,
            str(UNO_SCRIPT),
            "--soffice",
            binary,
            "--profile",
            profile.as_uri(),
            "--pipe",
            f"shidian{os.getpid()}x{threading.get_ident()}",
            *(["--toc"] if toc else []),
            str(src),
            str(out_docx) if docx_out else "-",
            str(out_pdf) if pdf_out else "-",
        ]
        result = _run(cmd, timeout=timeout, what="the table of contents update")
        if result.returncode != 0:
            detail = (result.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            if result.returncode == 3:
                raise ConversionError(
                    f"python3-uno is not installed for {python}; install: {INSTALL_HINT}",
                    code="uno_missing",
                )
            raise ConversionError(
                "LibreOffice could not update the table of contents: "
                + (detail[-1] if detail else f"exit {result.returncode}"),
                code="soffice_failed",
            )
        if docx_out:
            _place(out_docx, docx_out)
        if pdf_out:
            _place(out_pdf, pdf_out)


def _place(produced: Path, target: Path) -> None:
    """Move a finished file into place atomically (same directory, then rename)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(produced, tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
