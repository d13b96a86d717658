"""tools/worktree.py: a worktree of one commit under build/, kept between runs and put back to
the commit exactly before each use; shared by tools/doctest (build/doctest/chN, the guides'
sessions) and tools/lab (build/labs/LAB, the graders' checks).

The build folder inside a worktree is ignored by git, so it survives being put back: make then
rebuilds only what a session or a patch changed.
"""

import os
import shutil
import subprocess

# What a learner's shell has: not the variables of a make that runs us (`make test`), which would
# make each `make` we start a sub-make ("make[2]: ***") with the outer one's flags.
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKE_TERMOUT",
                          "MAKE_TERMERR")}


def git(top, *args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd or top, capture_output=True, text=True)


def own_worktree(top, wt):
    """True if directory wt is itself a worktree of the clone top. (In a directory that is not
    one, git would find the clone around it, wt being inside it, and a checkout there would check
    out the learner's own tree.)"""
    here = git(top, "rev-parse", "--show-toplevel", cwd=wt)
    common = git(top, "rev-parse", "--path-format=absolute", "--git-common-dir", cwd=wt)
    mine = git(top, "rev-parse", "--path-format=absolute", "--git-common-dir")
    return (here.returncode == 0 and common.returncode == 0
            and os.path.realpath(here.stdout.strip()) == os.path.realpath(wt)
            and os.path.realpath(common.stdout.strip()) == os.path.realpath(mine.stdout.strip()))


def worktree_at(top, wt, commit):
    """Make wt a worktree of top at commit, exactly: files changed or added there since are put
    back (the build stays), and at another commit the build goes too. None, or git's complaint."""
    if os.path.isdir(wt) and not own_worktree(top, wt):
        shutil.rmtree(wt)           # ours to make again: a stray directory, or a broken worktree
    git(top, "worktree", "prune")
    if os.path.isdir(wt):
        if git(top, "rev-parse", "HEAD", cwd=wt).stdout.strip() != commit:
            r = git(top, "checkout", "-q", "--detach", "--force", commit, cwd=wt)
            if r.returncode == 0:
                r = git(top, "clean", "-q", "-d", "-x", "--force", cwd=wt)
        elif git(top, "status", "--porcelain", cwd=wt).stdout:
            r = git(top, "checkout", "-q", "--force", "HEAD", cwd=wt)
            if r.returncode == 0:
                r = git(top, "clean", "-q", "-d", "--force", cwd=wt)
        else:
            return None
    else:
        os.makedirs(os.path.dirname(wt), exist_ok=True)
        r = git(top, "worktree", "add", "-q", "--detach", "--force", wt, commit)
    return r.stderr.strip() or "git failed" if r.returncode != 0 else None
