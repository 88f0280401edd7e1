#!/usr/bin/env python3
"""The README's two commands, pasted as they stand: `.ci/run` runs exactly the README's test
command; as root both scripts run without sudo (a fresh Debian 12 has none), even when a sudo
is on PATH it is never called; as a normal user they run themselves again through sudo
(keeping TTM_TEST_JOBS), and without sudo they stop with one clear line. Cheap: the scripts
run with --check (scripts/as-root.sh), which stops right after that decision; a fake sudo
records how it was called. No lab, no build."""

import os
import re
import shutil
import subprocess
import tempfile

import harness

SRC = harness.SOURCE_DIR
SCRIPTS = ["scripts/demo.sh", "scripts/test.sh"]
NOBODY = 65534


def readme_commands():
    """The shell blocks of the README's "Two commands" section, one command each."""
    with open(os.path.join(SRC, "README.md")) as f:
        text = f.read()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [b.strip() for b in blocks]


def fake_bin(d, with_sudo):
    """A PATH directory: the few tools the check path needs, and a sudo that records its
    arguments (one per line) into d/sudo.log and succeeds, if with_sudo."""
    b = os.path.join(d, "bin-sudo" if with_sudo else "bin")
    os.makedirs(b)
    for tool in ("bash", "id", "dirname", "basename", "env"):
        os.symlink(shutil.which(tool), os.path.join(b, tool))
    if with_sudo:
        with open(os.path.join(b, "sudo"), "w") as f:
            f.write("#!/bin/bash\nprintf '%%s\\n' \"$@\" > %s/sudo.log\n" % d)
        os.chmod(os.path.join(b, "sudo"), 0o755)
    return b


def copy_scripts(d):
    """A world-readable copy of what --check runs (the tree itself may sit under /root)."""
    tree = os.path.join(d, "tree")
    os.makedirs(os.path.join(tree, "scripts"))
    for name in ("demo.sh", "test.sh", "deps.sh", "as-root.sh"):
        shutil.copy(os.path.join(SRC, "scripts", name), os.path.join(tree, "scripts", name))
    for root, dirs, files in os.walk(tree):
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o755)
    os.chmod(tree, 0o755)
    return tree


def run(cmd, path, user=None, env=None, cwd=SRC):
    e = {"PATH": path, "HOME": "/nonexistent"}
    e.update(env or {})
    pre = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"] \
        if user else []
    return subprocess.run(pre + ["/usr/bin/env", "-i"] + ["%s=%s" % kv for kv in e.items()]
                          + cmd.split() + ["--check"], cwd=cwd, capture_output=True,
                          text=True, timeout=20)


def test_ci_runs_the_readme_test_command():
    cmds = readme_commands()
    assert cmds == ["bash scripts/demo.sh", "bash scripts/test.sh"], cmds
    with open(os.path.join(SRC, ".ci", "run")) as f:
        lines = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    assert lines[-1] == "exec " + cmds[1], lines
    assert 'cd "$(dirname "$0")/.."' in lines, lines  # from the top of the tree, as pasted


def test_root_runs_without_sudo():
    with tempfile.TemporaryDirectory() as d:
        for with_sudo in (False, True):
            path = fake_bin(d, with_sudo)
            for cmd in readme_commands() + ["bash scripts/deps.sh"]:
                r = run(cmd, path)
                assert r.returncode == 0 and "as root: running" in r.stdout, (cmd, r)
                assert not os.path.exists(os.path.join(d, "sudo.log")), (
                    "%s called sudo as root" % cmd)


def test_normal_user_goes_through_sudo():
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o777)
        path = fake_bin(d, True)
        tree = copy_scripts(d)
        log = os.path.join(d, "sudo.log")
        for cmd in readme_commands():
            r = run(cmd, path, user=NOBODY, env={"TTM_TEST_JOBS": "3"}, cwd=tree)
            assert r.returncode == 0, (cmd, r)
            with open(log) as f:
                args = f.read().split("\n")[:-1]
            os.unlink(log)
            script = cmd.split()[1]
            assert args == ["--", "env", "TTM_TEST_JOBS=3", "bash", script, "--check"], (
                cmd, args)
        bare = fake_bin(d, False)
        for cmd in readme_commands():
            r = run(cmd, bare, user=NOBODY, cwd=tree)
            lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
            assert r.returncode == 1 and len(lines) == 1, (cmd, r)
            assert "sudo is not installed" in lines[0] and "run it as root" in lines[0], lines


if __name__ == "__main__":
    harness.require_root()
    harness.run()
