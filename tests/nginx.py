"""nginx configured from README.md's "## Production" section, for tests and benchmarks: they run the
configuration the README recommends (with their own addresses), never a copy of it that could drift."""

from __future__ import annotations

import os
import pwd
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
)
"""The nginx program, None when it is not installed (`apt-get install -y nginx-light`)."""


def readme_nginx_block(number: int, replacements: Mapping[str, str]) -> str:
    """The `number`th ```nginx block of README.md's Production section, each example value in
    `replacements` (which must be in it: a changed README fails loudly) replaced by this run's."""
    production = README.read_text(encoding="utf-8").partition("\n## Production\n")[2].partition("\n## ")[0]
    blocks = re.findall(r"```nginx\n(.*?)```", production, re.DOTALL)
    if len(blocks) <= number:
        raise LookupError(f"README.md's Production section has no nginx block number {number}")
    block = blocks[number]
    for example, ours in replacements.items():
        if example not in block:
            raise LookupError(f"README.md's nginx block number {number} has no {example!r} any more")
        block = block.replace(example, ours)
    return block


def user_directive() -> str:
    """`user root;` when run as root: nginx's workers would otherwise drop to `nobody`, who cannot
    write the run's temporary directories."""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
