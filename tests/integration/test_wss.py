#!/usr/bin/env python3
"""wss:// for real (issue 12): Janus serves its WebSocket API over TLS in the lab
(Lab(wss_cert=...): wss = true in janus.transport.websockets.jcfg) with a certificate this test
makes with openssl in its temp dir: a throwaway CA and a server certificate it signs for the
lab server's address (subjectAltName IP), plus one for another name.

- test_untrusted_certificate_refused: without --insecure, a certificate nobody told the client
  to trust fails with exit 3 and one line saying the certificate is not trusted (no join).
- test_insecure_connects: --insecure connects and joins over wss:// (the room sees us).
- test_trusted_ca_connects: with SSL_CERT_FILE naming the test's CA (OpenSSL's default verify
  paths, which libwebsockets' client context uses), the same server is accepted without
  --insecure; a certificate from that CA for another name is refused as made for another host.
"""

import os
import subprocess
import tempfile

import harness
from harness import HEADLESS, check_error_exit, lab, start_client


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, "openssl %s failed:\n%s" % (" ".join(args), r.stderr)


def make_certs(d):
    """A CA, and two server certificates it signs: for the lab address, and for another name.
    Returns {"ca", "cert", "key", "other_cert", "other_key"} paths."""
    p = {k: os.path.join(d, k + ".pem") for k in ("ca", "ca_key", "cert", "key", "other_cert",
                                                   "other_key")}
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", p["ca_key"], "-out", p["ca"], "-days", "2",
            "-subj", "/CN=ttymeet test CA")
    for cert, key, san in (("cert", "key", "IP:%s" % lab.SERVER_ADDR),
                           ("other_cert", "other_key", "DNS:elsewhere.invalid")):
        csr = os.path.join(d, cert + ".csr")
        ext = os.path.join(d, cert + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n" % san)
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", p[key], "-out", csr, "-subj", "/CN=ttymeet test server")
        openssl("x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"],
                "-CAcreateserial", "-out", p[cert], "-days", "2", "-extfile", ext)
    for k in p:
        os.chmod(p[k], 0o644)
    return p


def joined_over_wss(L, args, env=None, name="wss"):
    c = start_client(L, HEADLESS + ["-n", name, "--duration", "3"] + args + [L.url, "1234"],
                     name, env=env)
    j = c.wait_event("joined", 15)
    assert j["room"] == 1234, j
    assert c.wait_exit(15) == 0, c.describe()
    c.assert_clean_output()
    return c


def test_untrusted_certificate_refused():
    with tempfile.TemporaryDirectory(prefix="ttm-wss-") as d:
        certs = make_certs(d)
        with lab.Lab(wss_cert=(certs["cert"], certs["key"])) as L:
            assert L.url.startswith("wss://"), L.url
            # the system's trust store, which knows nothing of the test's CA
            c = start_client(L, HEADLESS + ["-n", "carol", L.url, "1234"], "untrusted")
            line = check_error_exit(c, 3, 10, words=("certificate", "not trusted"))
            assert "--insecure" in line, line
            print("  refused: %s" % line)
            assert not c.find("joined"), c.describe()


def test_insecure_connects():
    with tempfile.TemporaryDirectory(prefix="ttm-wss-") as d:
        certs = make_certs(d)
        with lab.Lab(wss_cert=(certs["cert"], certs["key"])) as L:
            joined_over_wss(L, ["--insecure"], name="insecure")


def test_trusted_ca_connects():
    with tempfile.TemporaryDirectory(prefix="ttm-wss-") as d:
        certs = make_certs(d)
        with lab.Lab(wss_cert=(certs["cert"], certs["key"])) as L:
            joined_over_wss(L, [], env={"SSL_CERT_FILE": certs["ca"]}, name="trusted")
        with lab.Lab(wss_cert=(certs["other_cert"], certs["other_key"])) as L:
            c = start_client(L, HEADLESS + ["-n", "dave", L.url, "1234"], "other-host",
                             env={"SSL_CERT_FILE": certs["ca"]})
            line = check_error_exit(c, 3, 10, words=("certificate", "another host"))
            print("  refused: %s" % line)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
