"""Run with the SYSTEM python (/usr/bin/python3, which has Debian's python3-uno), not the venv.

usage: uno_update.py --soffice BIN --profile URI --pipe NAME [--toc] IN.docx OUT.docx|- OUT.pdf|-

Starts a private headless soffice listening on a pipe, opens IN.docx, switches hanging
punctuation off, with --toc updates every index (the table of contents gets real page numbers)
and every field, then saves OUT.docx (Word 2007 XML) and/or exports OUT.pdf. Exit code 3 when the
uno module is missing.
"""

import argparse
import subprocess
import sys
import time

try:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("python3-uno is not installed\n")
    sys.exit(3)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


# Kept in step with base.NO_LINE_START / NO_LINE_END (this script cannot import our package).
# U+2060 (word joiner) in both lists: text.keep_together glues dates and document numbers.
NO_LINE_START = (
    "!%),.:;?]}¢°·ˇˉ―‖’”…‰′″›℃∶、。〃〉》」』】〕〗〞︶︺︾﹀﹄﹚﹜﹞！＂％＇），．：；？］｝～￠"
    "\u2060"
)
NO_LINE_END = "$(£¥·‘“〈《「『【〔〖〝﹙﹛﹝＄（．［｛￡￥\u2060"


def forbidden_characters(doc):
    """Word's w:noLineBreaksBefore/After lists are not imported either: set zh-CN's here."""
    from com.sun.star.i18n import ForbiddenCharacters
    from com.sun.star.lang import Locale

    settings = doc.createInstance("com.sun.star.document.Settings")
    table = settings.getPropertyValue("ForbiddenCharacters")
    table.setForbiddenCharacters(
        Locale("zh", "CN", ""), ForbiddenCharacters(NO_LINE_START, NO_LINE_END)
    )


def no_hanging_punctuation(doc):
    """Word's w:overflowPunct="0" is not imported by LibreOffice 7.x: switch hanging punctuation
    off on every paragraph style and paragraph so that no mark pokes out of the text block."""
    styles = doc.getStyleFamilies().getByName("ParagraphStyles")
    for name in styles.getElementNames():
        style = styles.getByName(name)
        try:  # noqa: SIM105
            style.setPropertyValue("ParaIsHangingPunctuation", False)
        except Exception:  # noqa: BLE001, SIM105 - some built-in styles refuse; unused
            pass

    def walk(text):
        en = text.createEnumeration()
        while en.hasMoreElements():
            par = en.nextElement()
            if par.supportsService("com.sun.star.text.Paragraph"):
                par.setPropertyValue("ParaIsHangingPunctuation", False)
            elif par.supportsService("com.sun.star.text.TextTable"):
                for cell_name in par.getCellNames():
                    walk(par.getCellByName(cell_name))

    walk(doc.getText())
    frames = doc.getTextFrames()
    for i in range(frames.getCount()):
        walk(frames.getByIndex(i).getText())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--toc", action="store_true")
    ap.add_argument("src")
    ap.add_argument("out_docx")
    ap.add_argument("out_pdf")
    args = ap.parse_args()
    office = subprocess.Popen(
        [
            args.soffice,
            f"-env:UserInstallation={args.profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=pipe,name={args.pipe};urp;",
        ]
    )
    try:
        ctx = connect(args.pipe, time.time() + 60)
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(args.src), "_blank", 0, (prop("Hidden", True),)
        )
        try:
            forbidden_characters(doc)
        except Exception as exc:  # noqa: BLE001 - keep LibreOffice's built-in list
            sys.stderr.write(f"forbidden characters not set: {exc}\n")
        no_hanging_punctuation(doc)
        # Two passes: the first TOC update can add pages and shift the numbers it shows.
        for _ in range(2 if args.toc else 0):
            indexes = doc.getDocumentIndexes()
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
            doc.getTextFields().refresh()
            doc.refresh()
        if args.out_docx != "-":
            doc.storeToURL(
                uno.systemPathToFileUrl(args.out_docx),
                (prop("FilterName", "MS Word 2007 XML"), prop("Overwrite", True)),
            )
        if args.out_pdf != "-":
            doc.storeToURL(
                uno.systemPathToFileUrl(args.out_pdf),
                (prop("FilterName", "writer_pdf_Export"), prop("Overwrite", True)),
            )
        doc.close(True)
        try:  # noqa: SIM105
            desktop.terminate()
        except Exception:  # noqa: BLE001, SIM105 - the bridge drops when soffice exits
            pass
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
