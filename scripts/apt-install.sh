#!/usr/bin/env bash
# Installs Debian packages for scripts/ensure-deps.sh. When another apt or dpkg process holds the
# package lock (unattended upgrades, a second terminal), it says what it waits for and what it was
# about to install, and waits for the lock instead of failing with apt's raw lock error.
set -euo pipefail
[ $# -gt 0 ] || exit 0
wait_s=${TANDEM_APT_LOCK_WAIT_S:-600}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

holders() { # the apt/dpkg processes running now (not this script's own children)
  pgrep -a -x 'apt|apt-get|aptitude|dpkg|unattended-upgr|packagekitd' 2>/dev/null || true
}
wait_for_lock() {
  local t0 now who told=0
  t0=$(date +%s)
  while who=$(holders) && [ -n "$who" ]; do
    if [ "$told" = 0 ]; then
      echo "tandem: waiting for the package lock to install $*: another package manager is running:" >&2
      echo "$who" | sed 's/^/tandem:   /' >&2
      echo "tandem:   (waiting up to ${wait_s} s; set TANDEM_APT_LOCK_WAIT_S to change)" >&2
      told=1
    fi
    now=$(date +%s)
    if [ $((now - t0)) -ge "$wait_s" ]; then
      echo "tandem: gave up after ${wait_s} s waiting for the package lock; install $* by hand once it is free: apt-get install $*" >&2
      exit 1
    fi
    sleep 1
  done
  [ "$told" = 0 ] || echo "tandem: the package lock is free; installing $*" >&2
}

echo "tandem: installing system packages: $*"
# apt waits for the lock itself too (DPkg::Lock::Timeout), for a holder that starts after the check.
lock=(-o "DPkg::Lock::Timeout=$wait_s")
wait_for_lock "$@"
$SUDO apt-get "${lock[@]}" update -qq || { echo "tandem: apt-get update failed while installing $*" >&2; exit 1; }
wait_for_lock "$@"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@" >/dev/null \
  || { echo "tandem: apt-get install failed for: $*" >&2; exit 1; }
