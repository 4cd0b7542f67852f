#!/usr/bin/env python3
"""Write the detection-parity messages: each sample wrapped the way
senders wrap attachments, with each header form RFC 5322 allows (in the
message's headers and its MIME part headers), and clean look-alikes of
every shape.

usage: gen.py OUTDIR SAMPLEDIR EICAR_FILE slice|full

Writes OUTDIR/NAME.eml and OUTDIR/manifest ("NAME reject|accept" lines).
"slice" covers every dimension on a representative part of the matrix:
every sample once (the wrapping and the header form taken in turn), EICAR
and clam.exe in every wrapping with every header form, every clean
look-alike, and EICAR nested past the scanner's limits with every header
form; both modes add a zip of 10,001 files and a zip whose member
inflates to 450 MB, which must be incomplete, and EICAR after 80 MB of
zeros in a zip member, which must be found.  "full" is every sample in every wrapping with every header form.
"""
import base64
import binascii
import io
import os
import sys
import zipfile

FORMS = {            # how a header line is written
    "space": lambda n, v: "%s: %s" % (n, v),
    "nospace": lambda n, v: "%s:%s" % (n, v),
    "tab": lambda n, v: "%s:\t%s" % (n, v),
    "upper": lambda n, v: "%s: %s" % (n.upper(), v),
}


def b64_lines(data):
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def zipped(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def headers(form, fields):
    return "".join(FORMS[form](n, v) + "\r\n" for n, v in fields)


def top(form, name, extra):
    return headers(form, [
        ("From", "<sender@remote.example>"),
        ("To", "<user@dest.example>"),
        ("Subject", "detect-" + name),
        ("Date", "Tue, 01 Dec 2026 12:00:00 +0000"),
        ("Message-ID", "<%s@detect.example>" % name),
        ("MIME-Version", "1.0"),
    ] + extra)


def part(form, fname, data):
    return headers(form, [
        ("Content-Type", 'application/octet-stream; name="%s"' % fname),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Disposition", 'attachment; filename="%s"' % fname),
    ]) + "\r\n" + b64_lines(data)


def multipart(form, name, body_parts):
    ct = [("Content-Type", 'multipart/mixed; boundary="b-%s"' % name)]
    out = top(form, name, ct) + "\r\nThis is a multipart message.\r\n"
    text = headers(form, [("Content-Type", "text/plain")]) + "\r\nhello\r\n"
    for p in [text] + body_parts:
        out += "--b-%s\r\n%s" % (name, p)
    return out + "--b-%s--\r\n" % name


def w_attach(form, name, fname, data):
    return multipart(form, name, [part(form, fname, data)])


def w_rfc822(form, name, fname, data):
    # the inner message keeps the usual form: libclamav recognises an
    # embedded message only by its exact header strings, which clamgate
    # cannot change inside a part (docs/design.md; the second MIME view
    # of issue 18 is what decodes such a message)
    inner = w_attach("space", name + "-inner", fname, data)
    p = headers(form, [("Content-Type", "message/rfc822")]) + "\r\n" + inner
    return multipart(form, name, [p])


def w_zipzip(form, name, fname, data):
    twice = zipped("inner.zip", zipped(fname, data))
    return multipart(form, name, [part(form, "archive.zip", twice)])


def w_uuencode(form, name, fname, data):
    lines = [binascii.b2a_uu(data[i:i + 45]).decode().rstrip("\n")
             for i in range(0, len(data), 45)]
    body = "see below\r\n\r\nbegin 644 %s\r\n%s\r\n`\r\nend\r\n" % (
        fname, "\r\n".join(lines))
    ct = [("Content-Type", "text/plain")]
    return top(form, name, ct) + "\r\n" + body


def single_b64(form, name, fname, body):
    ct = [("Content-Type", 'application/octet-stream; name="%s"' % fname),
          ("Content-Transfer-Encoding", "base64")]
    return top(form, name, ct) + "\r\n" + body


def w_b64crlf(form, name, fname, data):
    return single_b64(form, name, fname, b64_lines(data))


def w_b64long(form, name, fname, data):
    return single_b64(form, name, fname,
                      base64.b64encode(data).decode() + "\r\n")


WRAPS = {"attach": w_attach, "rfc822": w_rfc822, "zipzip": w_zipzip,
         "uuencode": w_uuencode, "b64crlf": w_b64crlf, "b64long": w_b64long}


def many_files(count):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(count):
            z.writestr("f%05d.txt" % i, b"x")
    return buf.getvalue()


def big_member(mbytes, tail):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("big.bin", "w") as f:
            for _ in range(mbytes):
                f.write(b"\0" * 1048576)
            f.write(tail)
    return buf.getvalue()


def nested(data, depth):
    name = "eicar.com"
    for _ in range(depth):
        data, name = zipped(name, data), "nested.zip"
    return data


def main():
    out, sdir, eicar_file, mode = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    eicar = open(eicar_file, "rb").read()
    samples = [("eicar.com", eicar)] + [
        (f, open(os.path.join(sdir, f), "rb").read())
        for f in sorted(os.listdir(sdir))]
    forms, wraps = list(FORMS), list(WRAPS)
    cases = []  # (name, wrap, form, fname, data, expect)
    for i, (fname, data) in enumerate(samples):
        tag = fname.replace(".", "_").replace("-", "_")
        every = mode == "full" or fname in ("eicar.com", "clam.exe")
        for wi, w in enumerate(wraps):
            for fi, f in enumerate(forms):
                k = wi * len(forms) + fi
                if every or k == i % (len(wraps) * len(forms)):
                    cases.append(("%s-%s-%s" % (tag, w, f), w, f, fname,
                                  data, "reject"))
    clean = os.urandom(3000) + b"an ordinary attachment\r\n" * 50
    for w in wraps:
        for f in forms:
            cases.append(("clean-%s-%s" % (w, f), w, f, "report.bin",
                          clean, "accept"))
    # past the scanner's limits: nesting, file count, file size; each
    # backend must call them incomplete (rejected), never clean
    for f in forms:
        cases.append(("eicar_zip25-attach-" + f, "attach", f, "deep.zip",
                      nested(eicar, 25), "reject"))
    cases.append(("limit_files-attach-nospace", "attach", "nospace",
                  "many.zip", many_files(10001), "reject"))
    cases.append(("limit_size-attach-nospace", "attach", "nospace",
                  "big.zip", big_member(450, b""), "reject"))
    # within the limits, but past a MaxFileSize smaller than MaxScanSize,
    # where libclamav cuts a zip member short without a word
    cases.append(("eicar_after80m-attach-space", "attach", "space",
                  "big.zip", big_member(80, eicar), "reject"))
    with open(os.path.join(out, "manifest"), "w") as m:
        for name, w, f, fname, data, expect in cases:
            text = WRAPS[w](f, name, fname, data)
            with open(os.path.join(out, name + ".eml"), "wb") as fh:
                fh.write(text.encode())
            m.write("%s %s\n" % (name, expect))


if __name__ == "__main__":
    main()
