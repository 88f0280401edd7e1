#!/usr/bin/env python3
"""The shipped ttymeet carries no test hook: no environment variable that tests/hooks/testhook.c
reads is named anywhere in its bytes (what `strings` would show), and it reports no hooks in
--version; the test build ttymeet-testhooks, made from the same libraries, does name them all
(so this check sees the names when they are there).
usage: check_shipped.py TTYMEET TTYMEET_TESTHOOKS HOOK_SOURCE"""

import re
import subprocess
import sys


def main():
    shipped, hooked, source = sys.argv[1:4]
    with open(source) as f:
        names = sorted(set(re.findall(r'getenv\("([A-Z0-9_]+)"\)', f.read())))
    assert len(names) >= 2, "no hook names found in %s" % source
    failures = []
    for path, want in ((shipped, False), (hooked, True)):
        with open(path, "rb") as f:
            data = f.read()
        for n in names:
            if (n.encode() in data) != want:
                failures.append("%s %s %s" % (path, "lacks" if want else "contains", n))
        v = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        if ("test hooks" in v.stdout) != want:
            failures.append("%s --version: %r" % (path, v.stdout))
    for f in failures:
        print("FAIL:", f)
    print("hooks checked: %s" % ", ".join(names))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
