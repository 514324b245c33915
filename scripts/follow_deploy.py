"""Follow docs/DEPLOY.md literally on this machine (``make deploy-check``).

Every ``sh`` block of the English part runs, in order, in one bash session, with:

* the paths of step 0 moved under a temporary folder (nothing is written to /opt or /etc);
* ``sudo`` a shell function that drops itself (this runs as the operator would, but as
  whoever runs the script), except for commands that change the system — ``apt-get``,
  ``useradd``, ``systemctl`` — which are printed and not run; ``systemctl enable`` runs
  ``systemd-analyze verify`` on the units copied in the step before, when it exists;
* ``-u postgres`` commands talking to the local PostgreSQL over TCP as ``postgres``; the
  role and database it creates are dropped at the end if they did not exist before;
* the settings file edited as step 6 says (BOT_TOKEN keeps the example's value).

It skips the one step that needs a running bot with a real token (the health check;
``tests/e2e/test_operations.py`` checks /healthz against the sandbox) and reports each step. Exit status 0 when every step ran.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEEDS_TOKEN = "### 9."

SHIMS = r'''
set -euo pipefail
export PGHOST=127.0.0.1 PGUSER=postgres
_units=()
sudo() {
  local args=("$@")
  if [ "${args[0]}" = "-u" ]; then args=("${args[@]:2}"); fi
  case "${args[0]}" in
    apt-get|useradd) echo "  [system change, not run] ${args[*]}"; return 0 ;;
    systemctl)
      echo "  [system change, not run] ${args[*]}"
      if [ "${args[1]}" = "enable" ] && command -v systemd-analyze >/dev/null; then
        for unit in "${_units[@]}"; do
          sed "s#/opt/villagebot#$VB_HOME#g; s#/etc/villagebot#$VB_CONF#g; s#/var/lib/villagebot#$VB_STATE#g" \
            "$unit" > "$_unitdir/$(basename "$unit")"
        done
        local names=()
        for unit in "${_units[@]}"; do
          local name; name=$(basename "$unit")
          names+=("$_unitdir/${name/@./@1.}")
          [ "${name/@./@1.}" != "$name" ] && cp "$_unitdir/$name" "$_unitdir/${name/@./@1.}"
        done
        SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "${names[@]}" 2>&1 \
          | grep -v "Failed to put bus name\|Cannot add dependency job\|User=villagebot\|Group=villagebot" \
          | sed 's/^/  verify: /' | tee -a "$_verify" || true
        echo "  systemd-analyze verify: ${#names[@]} unit(s) checked"
        _units=()
      fi
      return 0 ;;
    cp)
      for a in "${args[@]:1}"; do case "$a" in deploy/*.service) _units+=("$a");; esac; done
      case "${args[-1]}" in /etc/systemd/system/) return 0;; esac ;;
    createuser|createdb)
      local name="${args[-1]}"
      if [ "${args[0]}" = createuser ] && psql -tAc "select 1 from pg_roles where rolname='$name'" | grep -q 1; then
        echo "  (role $name exists already: kept)"; return 0; fi
      if [ "${args[0]}" = createdb ] && psql -tAc "select 1 from pg_database where datname='$name'" | grep -q 1; then
        echo "  (database $name exists already: kept)"; return 0; fi
      echo "${args[0]} $name" >> "$_created" ;;
  esac
  "${args[@]}"
}
'''


def blocks(markdown: str) -> list[tuple[str, str]]:
    english = markdown.split("## English", 1)[1].split("## Tiếng Việt", 1)[0]
    steps: list[tuple[str, str]] = []
    heading = ""
    for part in re.split(r"(^### .*$)", english, flags=re.M):
        if part.startswith("### "):
            heading = part
            continue
        for code in re.findall(r"```sh\n(.*?)```", part, flags=re.S):
            steps.append((heading, code))
    return steps


def main() -> int:
    steps = blocks((ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="deploy-check-"))
    (work / "units").mkdir()
    created = work / "created.txt"
    verify = work / "verify.txt"
    script = [SHIMS, f'_unitdir="{work}/units"; _created="{created}"; _verify="{verify}"; : > "$_created" "$_verify"']
    ran = []
    for heading, code in steps:
        if heading.startswith(NEEDS_TOKEN):
            print(f"skipping {heading.strip('# ')}: it needs a running bot with a real token")
            continue
        if "export VB_HOME" in code:  # step 0: the same names, under the temporary folder
            code = re.sub(r"=/(\S+)", lambda m: f"={work}/{m.group(1)}", code)
        if 'cp deploy/env.example "$VB_CONF/env"' in code:  # step 6's edit
            code += ('\nsed -i "s#^DATABASE_URL=.*#DATABASE_URL=postgresql+asyncpg://villagebot@127.0.0.1/villagebot#"'
                     ' "$VB_CONF/env"\n')
        script.append(f'echo "== {heading.strip("# ")}"')
        script.append(code)
        ran.append(heading.strip("# "))
    script.append('echo "== every step ran"')
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT, check=False)
    problems = [line for line in verify.read_text().splitlines() if line.strip()] if verify.exists() else []
    for line in reversed(created.read_text().splitlines() if created.exists() else []):
        kind, name = line.split()
        sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' if kind == "createdb" else f'DROP ROLE IF EXISTS "{name}"'
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=False)
    shutil.rmtree(work, ignore_errors=True)
    if problems:
        print("systemd-analyze verify found problems:\n" + "\n".join(problems))
    print(f"steps run: {len(ran)}; exit {done.returncode}")
    return done.returncode or (1 if problems else 0)


if __name__ == "__main__":
    os.environ.pop("DATABASE_URL", None)
    raise SystemExit(main())
