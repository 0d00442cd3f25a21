"""The warm converter: one soffice listener driven over UNO, for a whole batch of conversions.

Run by ``pdf.WarmConverter`` with the system Python that has the ``uno`` bindings
(python3-uno), never imported by the server: ``uno_worker.py SOFFICE PROFILE_URI PIPE``.
It starts soffice listening on a private pipe (the environment, hence FONTCONFIG_FILE, is the
caller's), prints ``{"ready": true}``, then answers one JSON line per request
``{"inputs": [...], "outdir": "..."}`` with ``{"pdfs": [...]}`` or ``{"error": "..."}``.
When its stdin closes (the server process ended, even killed) it ends soffice and exits.
"""
import json
import os
import signal
import subprocess
import sys
import time

import uno  # noqa: F401 - loads the bridge; from the system's python3-uno
from com.sun.star.beans import PropertyValue


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _connect(soffice, pipe, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        if soffice.poll() is not None:
            raise RuntimeError(f"soffice exited ({soffice.returncode})")
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", context)
        except Exception:  # noqa: BLE001 - not listening yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _convert(desktop, inputs, outdir):
    pdfs = []
    for path in inputs:
        name = os.path.splitext(os.path.basename(path))[0] + ".pdf"
        target = os.path.join(outdir, name)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                           _props(Hidden=True, ReadOnly=True))
        try:
            doc.storeToURL(uno.systemPathToFileUrl(target), _props(FilterName="writer_pdf_Export"))
        finally:
            doc.close(True)
        pdfs.append(target)
    return pdfs


def main(binary, profile, pipe):
    soffice = subprocess.Popen(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore",
         "--nologo", "--nodefault", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        desktop = _connect(soffice, pipe, time.monotonic() + float(os.environ.get(
            "JIUZHU_WARM_START_TIMEOUT", "30")))
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            try:
                os.makedirs(request["outdir"], exist_ok=True)
                reply = {"pdfs": _convert(desktop, request["inputs"], request["outdir"])}
            except Exception as exc:  # noqa: BLE001 - reported to the server, which falls back
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply), flush=True)
    finally:
        soffice.send_signal(signal.SIGTERM)
        try:
            soffice.wait(5)
        except subprocess.TimeoutExpired:
            soffice.kill()


if __name__ == "__main__":
    main(*sys.argv[1:4])
