#!/usr/bin/env python3
"""Send the messages of a manifest over SMTP, as an outside client, and
print the SMTP reply to each one's data: "NAME CODE TEXT".

usage: send.py HOST PORT DIR [CLIENT_ADDR]

One connection for all of them (XCLIENT ADDR=CLIENT_ADDR, 192.0.2.10 by
default: a client on the Internet), a new transaction per message.
"""
import smtplib
import sys


def main():
    host, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    addr = sys.argv[4] if len(sys.argv) > 4 else "192.0.2.10"
    names = [line.split()[0] for line in open(d + "/manifest")]
    s = smtplib.SMTP(host, port, timeout=300)
    s.ehlo("client.detect.example")
    code, text = s.docmd("XCLIENT", "ADDR=%s NAME=mx.remote.example" % addr)
    if code != 220:
        sys.exit("XCLIENT refused: %d %s" % (code, text))
    s.ehlo("mx.remote.example")
    for name in names:
        with open("%s/%s.eml" % (d, name), "rb") as f:
            msg = f.read()
        s.mail("sender@remote.example")
        s.rcpt("user@dest.example")
        try:
            code, text = s.data(msg)
        except smtplib.SMTPDataError as e:
            code, text = e.smtp_code, e.smtp_error
        print(name, code, text.decode(errors="replace").replace("\n", " "),
              flush=True)
        if code >= 400:
            s.rset()
    s.quit()


if __name__ == "__main__":
    main()
