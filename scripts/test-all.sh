#!/usr/bin/env bash
# From a fresh clone: install what the whole test suite needs, then run it.
# On Debian/Ubuntu as root it installs the OpenSSH server and the six other login shells, so no
# integration test is skipped; elsewhere it says what is missing (those tests are then skipped
# with a loud message, or fail under CI=true).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(openssh-server openssh-client zsh fish tcsh mksh busybox procps iproute2)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  # sshd's privilege-separation directory; normally created by the (unused) systemd unit.
  mkdir -p /run/sshd
  chmod 0755 /run/sshd
  # Root's ~/.bashrc on some machines runs `pyenv init`, whose rehash takes a lock file; a login
  # killed mid-rehash (the tests kill sessions on purpose) leaves it, and every later root login
  # then waits 60 s. One older than two minutes has no live owner.
  find /root/.pyenv/shims -maxdepth 1 -name .pyenv-shim -mmin +2 -delete 2>/dev/null || true
else
  missing=()
  [ -x /usr/sbin/sshd ] || missing+=("/usr/sbin/sshd (openssh-server)")
  for shell in zsh fish tcsh mksh busybox; do command -v "$shell" >/dev/null 2>&1 || missing+=("$shell"); done
  [ "$(id -u)" = 0 ] || missing+=("root (the one-user-per-login-shell tests create system users)")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "test-all: not installing anything (needs root and apt-get). Missing for the integration tests:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "Debian/Ubuntu: sudo apt-get install ${PACKAGES[*]}; then run this as root." >&2
  fi
fi

npm ci
npm run build
npm run lint:package
npm run typecheck
# The API docs build with warnings as errors (typedoc.json): a broken link or a missing export fails here.
npm run docs
npm test
