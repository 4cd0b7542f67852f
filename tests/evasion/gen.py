#!/usr/bin/env python3
"""Write the evasion messages of issue 18: each sample wrapped in a MIME
shape that libclamav's own mail parser reads differently from mail
clients, kept only where a real client-side parser still decodes the
original attachment, and clean look-alikes of every kept shape.

usage: gen.py OUTDIR SAMPLEDIR EICAR_FILE slice|full

Writes OUTDIR/NAME.eml, appends "NAME reject|accept" lines to
OUTDIR/manifest (it runs after tests/detect/gen.py into the same
directory) and appends "NAME FAMILY DECODERS" lines to
OUTDIR/evasion.decoders (which decoder gave back the sample: python,
gmime or both).  Names are SAMPLE-FAMILY-VARIANT, like the detection
suite's, so tests/detect/run.sh groups them by family and variant.
"slice" (about 140 messages): EICAR and clam.exe in every shape, and
every second one of the other samples of SAMPLEDIR once, in the kept
shapes in turn; "full" (about 1800 messages, 380 MB): every sample in
every shape.  Output is deterministic (seeded randomness only).
tests/evasion/baseline.sh shows what clamscan alone makes of them.

The families (every one a publicly known kind of MIME ambiguity):
  b64eq    a "=" inside every base64 line (after 4 or 36 characters, "=="
           after 8, at the end, or alone at the third place of a group,
           after 2 or 10; in a part or as the whole message):
           libclamav drops the rest of the line, GMime stops there,
           Python's decoder skips it
  delim    a line inside a base64 body that only libclamav takes for a
           boundary: extra dashes, a comment or a character before them,
           a closing one; the boundary is made of characters outside the
           base64 alphabet, so lenient decoders skip the line
  uu       uuencode with a 4-digit "begin" mode, or a blank line inside
           the data, as Content-Transfer-Encoding x-uuencode (attachment
           and text/plain) and as plain inline text
  decoy    a multipart whose structure libclamav loses (300 parameters,
  decoyp   quoted semicolons, a 1500-byte Content-Type, a 1200-byte
           boundary, a semicolon in the boundary, duplicate Content-Type
           headers either way round), with a preamble that libclamav
           falls back to: 20 Content-Transfer-Encoding lines, each one
           more level of "bounce" (past the recursion limit: "decoy"),
           or one followed by Content-Type: message/partial ("decoyp")
  partial  message/partial: one fragment of total=1 (top level and as a
           part) and all three fragments of a message in one multipart
  cr       bare CR line endings in the whole MIME body, the part
           headers, the base64 lines or the boundary lines (the
           top-level headers stay CRLF)
  qpsoft   quoted-printable soft line breaks followed by junk ("= ",
           "=<TAB>", "=<CR><CR>", "=<CR>text", "=  text")
  nest     40 levels of multipart or message/rfc822 after the attachment
  bighdr   very large header blocks: 1200 top-level fields, one folded
           77 kB field (both under Postfix's header_size_limit), 300 kB
           of fields in the attachment's part headers
  pyread   readings of Python's email that GMime does not make: two
           Content-Type fields in a part, two Content-Transfer-Encoding
           fields (base64 first), a vertical tab before the boundary
           parameter, a message/x-foo part, a multipart whose boundary
           never comes (base64 with "=" inside the lines, so that
           libclamav misses them too)

The filter: a shape is kept for a sample only if, in the message as
Postfix delivers it (it makes every bare CR a space), Python's email
(policy.default, every part of msg.walk(), get_payload(decode=True)) or
GMime 3 (every leaf GMime.Part, inside message/rfc822 too, decoded by
DataWrapper.write_to_stream; message/partial fragments put together as
MessagePartial.reconstruct_message does when all are there) gives back the
sample byte for byte (SHA-256).  What nobody decodes is dropped and
named on stderr.  Every line stays under Postfix's line_length_limit.
The clean look-alikes (random bytes and text, expected "accept") exist
for every kept shape except those that take libclamav past its own
limits (nest, decoy, decoyp-params: PAST_LIMITS), where a clean message
is incomplete, not clean.  Bare CR shapes that only a reader of bare CR
decodes are dropped, as Postfix removes the bare CRs; the daemon's
bare-CR view is tested by the protocol tests, which hand the milter the
bytes as they are.

Needs python3-gi and gir1.2-gmime-3.0; run by another python3 without
gi, it starts again with /usr/bin/python3.
"""
import base64
import binascii
import email
import email.policy
import hashlib
import os
import random
import re
import sys

try:
    import gi
    gi.require_version("GMime", "3.0")
    from gi.repository import GMime
except (ImportError, ValueError):
    if (os.path.exists("/usr/bin/python3") and
            not os.environ.get("EVASION_GEN_REEXEC")):
        os.environ["EVASION_GEN_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("gen.py: needs python3-gi and gir1.2-gmime-3.0")

CRLF = "\r\n"
B64_OUT = "_.:,_?_"    # a boundary with no character of the base64 alphabet
LINE_MAX = 2000        # Postfix line_length_limit is 2048


# --- building blocks -------------------------------------------------

def b64_lines(data, width=76):
    text = base64.b64encode(data).decode()
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def uu_lines(data):
    return [binascii.b2a_uu(data[i:i + 45]).decode().rstrip("\n")
            for i in range(0, len(data), 45)]


def qp_encode(data, width):
    """Every byte outside printable ASCII (and "=", space) as =XX, lines
    of `width` encoded characters; the caller joins them with soft
    breaks."""
    out = "".join(chr(b) if 33 <= b <= 126 and b != 61 else "=%02X" % b
                  for b in data)
    lines, i = [], 0
    while i < len(out):
        j = min(i + width, len(out))
        while "=" in out[j - 2:j] and j < len(out):
            j -= 1             # never split an =XX escape
        lines.append(out[i:j])
        i = j
    return lines


def top(name, extra):
    """The top-level header block, CRLF, ending with the blank line."""
    fields = [
        "From: <sender@remote.example>",
        "To: <user@dest.example>",
        "Subject: detect-" + name,
        "Date: Tue, 01 Dec 2026 12:00:00 +0000",
        "Message-ID: <%s@evasion.example>" % name,
        "MIME-Version: 1.0",
    ] + extra
    return CRLF.join(fields) + CRLF + CRLF


def attach_headers(fname, cte="base64", ctype="application/octet-stream"):
    return ['Content-Type: %s; name="%s"' % (ctype, fname),
            "Content-Transfer-Encoding: " + cte,
            'Content-Disposition: attachment; filename="%s"' % fname]


def mixed(boundary, parts, preamble="This is a multipart message."):
    """A multipart body: parts are (header lines, body text)."""
    out = preamble + CRLF if preamble else ""
    for hdrs, body in parts:
        out += "--" + boundary + CRLF + CRLF.join(hdrs) + CRLF + CRLF + body
        if not body.endswith(CRLF):
            out += CRLF
    return out + "--" + boundary + "--" + CRLF


TEXT_PART = (["Content-Type: text/plain; charset=us-ascii"],
             "Please find the file attached." + CRLF)


def mixed_msg(name, boundary, parts, preamble="This is a multipart message."):
    ct = 'Content-Type: multipart/mixed; boundary="%s"' % boundary
    return top(name, [ct]) + mixed(boundary, parts, preamble)


def fold(words, sep="; ", width=70):
    """Join words into header continuation lines of about `width`."""
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + len(sep) + len(w) > width:
            lines.append(cur + sep.rstrip())
            cur = " " + w
        else:
            cur = cur + sep + w if cur else w
    return CRLF.join(lines + [cur])


# --- the families: each f(variant, name, fname, data) -> message bytes

def fam_b64eq(v, name, fname, data):
    # libclamav drops the rest of a line from a "=" on, then goes on
    # "third" and "third10": a lone "=" at the third place of a group,
    # which Python's decoder skips too (only "==" there is padding)
    at, eq = {"quad": (4, "="), "single": (4, "="), "pad": (8, "=="),
              "mid": (36, "="), "eol": (76, "="), "third": (2, "="),
              "third10": (10, "=")}[v]
    lines = [ln[:at] + eq + ln[at:] for ln in b64_lines(data)]
    if v == "single":                    # the whole message is the file
        ct = ['Content-Type: application/octet-stream; name="%s"' % fname,
              "Content-Transfer-Encoding: base64"]
        return (top(name, ct) + CRLF.join(lines) + CRLF).encode()
    body = CRLF.join(lines) + CRLF
    return mixed_msg(name, "b-" + name,
                     [TEXT_PART, (attach_headers(fname), body)]).encode()


def fam_delim(v, name, fname, data):
    fake = {"dashes": "----" + B64_OUT,        # two dashes too many
            "dashes3": "---" + B64_OUT,        # one too many
            "comment": "(.)--" + B64_OUT,      # an RFC 822 comment first
            "other": "-.--" + B64_OUT,         # a character before them
            "close": "----" + B64_OUT + "--",  # a closing one
            }[v]
    lines = b64_lines(data)
    lines.insert(1, fake)
    body = CRLF.join(lines) + CRLF
    return mixed_msg(name, B64_OUT,
                     [TEXT_PART, (attach_headers(fname), body)]).encode()


def fam_uu(v, name, fname, data):
    lines = uu_lines(data)
    mode = "0644" if v.startswith(("mode4", "inline4")) else "644"
    if "blank" in v:
        lines.insert(1, "")
    block = CRLF.join(["begin %s %s" % (mode, fname)] + lines +
                      ["`", "end"]) + CRLF
    prose = "The file follows." + CRLF + CRLF
    if v in ("mode4", "blank"):              # an x-uuencode attachment
        part = (attach_headers(fname, "x-uuencode"), block)
        return mixed_msg(name, "b-" + name, [TEXT_PART, part]).encode()
    cte = "7bit" if v.startswith("inline") else "x-uuencode"
    ct = ["Content-Type: text/plain; charset=us-ascii",
          "Content-Transfer-Encoding: " + cte]
    return (top(name, ct) + prose + block).encode()


def decoy_preamble(kind, name):
    """What libclamav falls back to when it loses the structure: it
    takes the first body line starting "Content-Transfer-Encoding" for
    the headers of a bounced message and parses from there to the end
    as a new message, which finds the next such line, and so on."""
    if kind == "decoy":                  # 20 of them: past the recursion
        return CRLF.join(["Content-Transfer-Encoding: base64", ""] * 20 +
                         ["bm90aGluZyB0byBzZWUgaGVyZQ=="])
    # "decoyp": the bounced message is a fragment, which libclamav does
    # not scan (CL_SCAN_MAIL_PARTIAL_MESSAGE is off by default)
    return CRLF.join(["Content-Transfer-Encoding: base64",
                      'Content-Type: message/partial; id="d-%s"; '
                      "number=2; total=2" % name, "",
                      "nothing to see here"])


def fam_decoy(kind, v, name, fname, data):
    b = "b-" + name
    mp = "multipart/mixed"
    cts = {
        "params": [fold(["Content-Type: " + mp] +
                        ["x%d=%d" % (i, i) for i in range(300)] +
                        ['boundary="%s"' % b])],
        "quoted": ['Content-Type: %s; x="a;boundary=zz;b"; '
                   'boundary="%s"' % (mp, b)],
        # libclamav reads header lines 1000 bytes at a time
        "longct": ['Content-Type: %s; x=%s; boundary="%s"'
                   % (mp, "y" * 1500, b)],
        "longb": ['Content-Type: %s; boundary="%s"' % (mp, b + "L" * 1200)],
        "semib": ['Content-Type: %s; boundary="%s;x"' % (mp, b)],
        "ctdup": ["Content-Type: text/plain",
                  'Content-Type: %s; boundary="%s"' % (mp, b)],
        "ctdup2": ['Content-Type: %s; boundary="%s"' % (mp, b),
                   "Content-Type: text/plain"],
    }[v]
    bnd = {"longb": b + "L" * 1200, "semib": b + ";x"}.get(v, b)
    body = mixed(bnd, [TEXT_PART,
                       (attach_headers(fname), CRLF.join(b64_lines(data)))],
                 preamble=decoy_preamble(kind, name))
    return (top(name, cts) + body).encode()


def fam_partial(v, name, fname, data):
    inner = mixed_msg(name + "-inner", "bi-" + name,
                      [TEXT_PART, (attach_headers(fname),
                                   CRLF.join(b64_lines(data)))])
    pid = "p-%s@evasion.example" % name

    def frag(n, total, body):
        return (['Content-Type: message/partial; id="%s"; number=%d; '
                 "total=%d" % (pid, n, total)], body)
    if v == "total1":                    # the whole message is a fragment
        hdrs, body = frag(1, 1, inner)
        return (top(name, hdrs) + body).encode()
    if v == "part1":                     # one part, a fragment of total=1
        return mixed_msg(name, "b-" + name,
                         [TEXT_PART, frag(1, 1, inner)]).encode()
    # "parts": three fragments in one multipart, the first ending after
    # the first line of the attachment's data, the second half way
    # through the rest (each with its CRLF: a fragment's content ends
    # before the CRLF of the delimiter)
    lines = [ln + CRLF for ln in inner.split(CRLF)]
    first = lines.index(b64_lines(data)[0] + CRLF) + 1
    cut = [0, first, first + (len(lines) - first) // 2, len(lines)]
    frags = [frag(i + 1, 3, "".join(lines[cut[i]:cut[i + 1]]) + CRLF)
             for i in range(3)]
    return mixed_msg(name, "b-" + name, [TEXT_PART] + frags).encode()


def cr_join(lines, every=20):
    """Lines ended by bare CR, with a CRLF after every `every` lines so
    that no line is longer than Postfix's line_length_limit."""
    out = ""
    for i, ln in enumerate(lines):
        out += ln + ("\r\n" if (i + 1) % every == 0 else "\r")
    return out


def fam_cr(v, name, fname, data):
    b = "b-" + name
    ct = 'Content-Type: multipart/mixed; boundary="%s"' % b
    hdrs, b64 = attach_headers(fname), b64_lines(data)
    if v == "body":                      # the whole MIME body
        lines = ["This is a multipart message.", "--" + b] + \
            TEXT_PART[0] + ["", "hello", "--" + b] + hdrs + [""] + b64 + \
            ["--" + b + "--"]
        return (top(name, [ct]) + cr_join(lines) + CRLF).encode()
    if v == "hdrs":                      # the attachment's part headers
        part = "\r".join(hdrs) + "\r\r" + CRLF.join(b64)
        body = ("preamble" + CRLF + "--" + b + CRLF +
                CRLF.join(TEXT_PART[0]) + CRLF + CRLF + "hello" + CRLF +
                "--" + b + CRLF + part + CRLF + "--" + b + "--" + CRLF)
        return (top(name, [ct]) + body).encode()
    if v == "b64":                       # the base64 lines
        return mixed_msg(name, b, [TEXT_PART, (hdrs, cr_join(b64))]).encode()
    # "bounds": boundary lines ended by a bare CR
    body = ("preamble" + CRLF + "--" + b + "\r" + CRLF.join(TEXT_PART[0]) +
            CRLF + CRLF + "hello" + CRLF + "--" + b + "\r" +
            CRLF.join(hdrs) + CRLF + CRLF + CRLF.join(b64) + CRLF +
            "--" + b + "--" + CRLF)
    return (top(name, [ct]) + body).encode()


def fam_qpsoft(v, name, fname, data):
    soft = {"space": "= \r\n", "tab": "=\t\r\n", "cr": "=\r\r\n",
            "crjunk": "=\rjunk after the break\r\n",
            "spacejunk": "=  junk\r\n"}[v]
    # short lines: the raw text never holds a whole signature
    body = soft.join(qp_encode(data, 24)) + CRLF
    part = (attach_headers(fname, "quoted-printable"), body)
    return mixed_msg(name, "b-" + name, [TEXT_PART, part]).encode()


def fam_nest(v, name, fname, data, depth=40):
    att = (attach_headers(fname), CRLF.join(b64_lines(data)))
    if v == "mime":
        nested = (["Content-Type: text/plain"], "deep")
        for i in range(depth):
            bi = "n%d-%s" % (i, name)
            nested = (['Content-Type: multipart/mixed; boundary="%s"' % bi],
                      mixed(bi, [nested], preamble=None))
        return mixed_msg(name, "b-" + name, [TEXT_PART, att, nested]).encode()
    # "rfc822": a chain of embedded messages
    inner = "Subject: deep" + CRLF + CRLF + "deep" + CRLF
    for i in range(depth):
        inner = ("Subject: level %d" % i + CRLF +
                 "Content-Type: message/rfc822" + CRLF + CRLF + inner)
    nested = (["Content-Type: message/rfc822"], inner)
    return mixed_msg(name, "b-" + name, [TEXT_PART, att, nested]).encode()


def fam_bighdr(v, name, fname, data):
    att_body = CRLF.join(b64_lines(data))
    pad = ["X-Pad-%04d: %s" % (i, "p" * 60) for i in range(1200)]
    if v in ("top", "fold"):             # top level, under 100 kB in all
        if v == "fold":
            pad = [fold(["X-Long: start"] + ["w%05d" % i
                                             for i in range(11000)], " ")]
        ct = 'Content-Type: multipart/mixed; boundary="b-%s"' % name
        return (top(name, pad + [ct]) +
                mixed("b-" + name, [TEXT_PART, (attach_headers(fname),
                                                att_body)])).encode()
    # "part": 300 kB in the part's headers
    pad = ["X-Pad-%05d: %s" % (i, "p" * 70) for i in range(3800)]
    return mixed_msg(name, "b-" + name,
                     [TEXT_PART, (pad + attach_headers(fname), att_body)]
                     ).encode()


# shapes that take libclamav past its own limits (recursion, MIME
# arguments), where any message, clean or not, is incomplete: no clean
# look-alike (policy.on_incomplete decides, reject by default)
PAST_LIMITS = {"nest", "decoy", ("decoyp", "params")}


def decoy_fn(kind):
    return lambda v, name, fname, data: fam_decoy(kind, v, name, fname, data)


DECOY_VARIANTS = ["params", "quoted", "longct", "longb", "semib", "ctdup",
                  "ctdup2"]
def eq_lines(data):
    """base64 lines with a "=" after the 4th character, which libclamav
    and GMime take for the end, Python's email skips (see b64eq)"""
    return [ln[:4] + "=" + ln[4:] for ln in b64_lines(data)]


def fam_pyread(v, name, fname, data):
    # readings of Python's email that GMime does not make (found by a
    # review of the second view): Python takes the first of two
    # Content-Type or Content-Transfer-Encoding fields, GMime the last;
    # Python reads a vertical tab as white space, parses message/ of any
    # subtype as a message, and a multipart whose boundary never comes
    # as one part in its own encoding
    att = (attach_headers(fname), CRLF.join(eq_lines(data)) + CRLF)
    if v == "partct":
        inner = mixed("in-" + name, [att], preamble="")
        hdrs = ['Content-Type: multipart/mixed; boundary="in-%s"' % name,
                "Content-Type: text/plain"]
        return mixed_msg(name, "b-" + name, [TEXT_PART, (hdrs, inner)]).encode()
    if v == "cte2":
        ct = ['Content-Type: application/octet-stream; name="%s"' % fname,
              "Content-Transfer-Encoding: base64",
              "Content-Transfer-Encoding: 7bit"]
        return (top(name, ct) + att[1]).encode()
    if v == "vt":
        ct = ['Content-Type: multipart/mixed;\x0bboundary="b-%s"' % name]
        return (top(name, ct) + mixed("b-" + name, [TEXT_PART, att])).encode()
    if v == "msgsub":
        inner = mixed_msg(name + "-inner", "in-" + name, [att])
        return mixed_msg(name, "b-" + name,
                         [TEXT_PART, (["Content-Type: message/x-foo"], inner)]).encode()
    ct = ['Content-Type: multipart/mixed; boundary="nowhere-%s"' % name,
          "Content-Transfer-Encoding: base64"]           # nobound
    return (top(name, ct) + att[1]).encode()


FAMILIES = [  # (family, function, variants)
    ("b64eq", fam_b64eq, ["quad", "pad", "mid", "eol", "single", "third",
                          "third10"]),
    ("delim", fam_delim, ["dashes", "dashes3", "comment", "other", "close"]),
    ("uu", fam_uu, ["mode4", "mode4text", "blank", "blanktext", "inline4",
                    "inlineblank"]),
    ("decoy", decoy_fn("decoy"), ["params", "quoted", "longb", "semib"]),
    ("decoyp", decoy_fn("decoyp"), DECOY_VARIANTS),
    ("partial", fam_partial, ["total1", "part1", "parts"]),
    ("cr", fam_cr, ["body", "hdrs", "b64", "bounds"]),
    ("qpsoft", fam_qpsoft, ["space", "tab", "cr", "crjunk", "spacejunk"]),
    ("nest", fam_nest, ["mime", "rfc822"]),
    ("bighdr", fam_bighdr, ["top", "fold", "part"]),
    ("pyread", fam_pyread, ["partct", "cte2", "vt", "msgsub", "nobound"]),
]


# --- the filter ------------------------------------------------------

def python_decodes(raw, digest):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():              # message/* subparts included
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload and hashlib.sha256(payload).digest() == digest:
            return True
    return False


def gmime_leaves(obj, partials):
    """Every leaf part under obj; message/partial fragments go into
    partials (by id) instead."""
    if isinstance(obj, GMime.Message):
        obj = obj.get_mime_part()
    if obj is None:
        return
    if isinstance(obj, GMime.Multipart):
        for i in range(obj.get_count()):
            yield from gmime_leaves(obj.get_part(i), partials)
    elif isinstance(obj, GMime.MessagePart):
        yield from gmime_leaves(obj.get_message(), partials)
    elif isinstance(obj, GMime.MessagePartial):
        partials.setdefault(obj.get_id(), []).append(obj)
    elif isinstance(obj, GMime.Part):
        yield obj


def gmime_decoded(part):
    content = part.get_content()
    if content is None:
        return b""
    mem = GMime.StreamMem.new()
    content.write_to_stream(mem)         # decodes the transfer encoding
    return bytes(mem.get_byte_array())


def gmime_decodes(raw, digest):
    parser = GMime.Parser.new_with_stream(GMime.StreamMem.new_with_buffer(raw))
    todo, partials = [parser.construct_message(None)], {}
    while todo:
        for part in gmime_leaves(todo.pop(), partials):
            if hashlib.sha256(gmime_decoded(part)).digest() == digest:
                return True
        for pid, frags in list(partials.items()):
            if len(frags) == frags[0].get_total() > 0:
                todo.append(reconstruct(frags))
            del partials[pid]
    return False


def reconstruct(frags):
    """What GMime.MessagePartial.reconstruct_message does (its GI binding
    takes one fragment for the array, and fails): the fragments' contents
    in number order, parsed as one message."""
    mem = GMime.StreamMem.new()
    for f in sorted(frags, key=lambda f: f.get_number()):
        mem.write(gmime_decoded(f))
    mem.seek(0, GMime.SeekWhence.SET)
    return GMime.Parser.new_with_stream(mem).construct_message(None)


def as_delivered(raw):
    """The message as Postfix stores and delivers it: it turns a bare
    CR into a space (seen in the queue file, postcat, on Postfix
    3.7.11), so a client behind it never sees one."""
    return re.sub(rb"\r(?!\n)", b" ", raw)


def decoders(raw, data):
    digest = hashlib.sha256(data).digest()
    raw = as_delivered(raw)
    return [n for n, f in (("python", python_decodes),
                           ("gmime", gmime_decodes)) if f(raw, digest)]


def lines_fit(raw):
    return max(len(ln) for ln in raw.split(b"\n")) <= LINE_MAX


# --- the matrix ------------------------------------------------------

def load_samples(sdir, eicar_file):
    samples = [("eicar.com", open(eicar_file, "rb").read())]
    for f in sorted(os.listdir(sdir)):
        samples.append((f, open(os.path.join(sdir, f), "rb").read()))
    return samples


def tag(fname):
    return fname.replace(".", "_").replace("-", "_")


def shapes():
    return [(fam, fn, v) for fam, fn, vs in FAMILIES for v in vs]


def make(sample, shape, kept, written):
    """Write one sample in one shape if a decoder gives it back."""
    (fname, data), (fam, fn, v) = sample, shape
    name = "%s-%s-%s" % (tag(fname), fam, v)
    raw = fn(v, name, fname, data)
    dec = decoders(raw, data)
    if not lines_fit(raw):
        why = "a line longer than %d" % LINE_MAX
    elif not dec:
        why = "neither Python nor GMime decodes the sample"
    else:
        if shape not in kept:
            kept.append(shape)
        written.append((name, fam, raw, "reject", dec))
        return
    print("dropped %s: %s" % (name, why), file=sys.stderr)


def main():
    out, sdir, eicar_file, mode = sys.argv[1:5]
    if mode not in ("slice", "full"):
        sys.exit(__doc__)
    GMime.init()
    os.makedirs(out, exist_ok=True)
    samples, kept, written = load_samples(sdir, eicar_file), [], []
    first = [s for s in samples if s[0] in ("eicar.com", "clam.exe")]
    others = [s for s in samples if s not in first]
    for sample in first + (others if mode == "full" else []):
        for shape in shapes():
            make(sample, shape, kept, written)
    if mode == "slice":                  # every second other sample, in
        for i, sample in enumerate(others[::2]):    # a kept shape each
            make(sample, kept[i * 7 % len(kept)], kept, written)
    rng = random.Random(18)
    clean = rng.randbytes(3000) + b"an ordinary attachment\r\n" * 50
    for fam, fn, v in kept:
        if (fam, v) not in PAST_LIMITS and fam not in PAST_LIMITS:
            name = "clean-%s-%s" % (fam, v)
            raw = fn(v, name, "report.bin", clean)
            written.append((name, fam, raw, "accept", decoders(raw, clean)))
    with open(os.path.join(out, "manifest"), "a") as m, \
            open(os.path.join(out, "evasion.decoders"), "a") as d:
        for name, fam, raw, expect, dec in written:
            with open(os.path.join(out, name + ".eml"), "wb") as fh:
                fh.write(raw)
            m.write("%s %s\n" % (name, expect))
            d.write("%s %s %s\n" % (name, fam, ",".join(dec) or "none"))
    print("evasion: %d messages written, %d shapes of %d kept"
          % (len(written), len(kept), len(shapes())), file=sys.stderr)


if __name__ == "__main__":
    main()
