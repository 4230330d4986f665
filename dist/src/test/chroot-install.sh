#!/bin/sh
# Installs the amd64 .deb with `dpkg -i` in a Debian bookworm chroot, as an image build does, and
# checks that it leaves an enabled, hardened, notify-type service that was not started, and how the
# class-data archive follows the JDK (its dpkg trigger) and the jars.
#
#   sudo dist/src/test/chroot-install.sh [path/to/outpost_*_amd64.deb]
#
# Needs root, debootstrap, systemd (systemctl, systemd-analyze) and the Debian mirror as apt knows
# it. The base chroot (minbase + default-jre-headless + adduser, about 400 MB) is built once into
# $OUTPOST_CHROOT_CACHE (default /var/cache/outpost-test-chroot/bookworm-jre) and reused; each run
# installs into a fresh copy of it, removed afterwards. Not part of ./scripts/test: a cold base takes
# minutes (figures in docs/operations.md, "Installing, and baking Outpost into OTA images").
set -eu

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
DEB="${1:-$(ls "$ROOT"/dist/target/outpost_*_amd64.deb 2>/dev/null | head -n 1)}"
BASE="${OUTPOST_CHROOT_CACHE:-/var/cache/outpost-test-chroot/bookworm-jre}"
MIRROR="${OUTPOST_CHROOT_MIRROR:-http://deb.debian.org/debian}"

die() { echo "chroot-install: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"
[ -f "$DEB" ] || die "no .deb: build it (./mvnw -pl dist -am package -DskipTests) or pass its path"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
command -v systemctl >/dev/null || die "systemctl is missing: apt-get install systemd"

if [ ! -x "$BASE/usr/bin/java" ]; then
  echo "chroot-install: building the base chroot in $BASE (once; takes minutes)" >&2
  rm -rf "$BASE.tmp"
  mkdir -p "$(dirname "$BASE")"
  start=$(date +%s)
  debootstrap --variant=minbase --include=default-jre-headless,adduser \
    bookworm "$BASE.tmp" "$MIRROR" >"$BASE.log" 2>&1 || die "debootstrap failed, see $BASE.log"
  rm -rf "$BASE.tmp/var/cache/apt/archives"/*.deb
  mv "$BASE.tmp" "$BASE"
  echo "chroot-install: base built in $(($(date +%s) - start)) s" >&2
fi

start=$(date +%s)
WORK="$(mktemp -d /var/tmp/outpost-chroot.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cp -a "$BASE/." "$WORK/"
cp "$DEB" "$WORK/tmp/outpost.deb"

# No systemd runs in the chroot (no /run/systemd/system): postinst enables, never starts. No /proc
# either: the JVM cannot start, so postinst cannot write the class-data archive, which must not fail
# the install.
chroot "$WORK" dpkg -i /tmp/outpost.deb >"$WORK.dpkg.log" 2>&1 || {
  cat "$WORK.dpkg.log" >&2; rm -f "$WORK.dpkg.log"; die "dpkg -i failed"; }
# shellcheck disable=SC2034 # read by a check below
DPKG_LOG="$(cat "$WORK.dpkg.log")"
rm -f "$WORK.dpkg.log"

fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1" >&2; fail=1; fi; }

check "dpkg says installed" \
  '[ "$(chroot "$WORK" dpkg-query -W -f="\${Status}" outpost)" = "install ok installed" ]'
check "enabled (systemctl --root)" \
  '[ "$(systemctl --root="$WORK" is-enabled outpost.service)" = enabled ]'
check "wanted by multi-user.target" \
  '[ -L "$WORK/etc/systemd/system/multi-user.target.wants/outpost.service" ]'
check "Type=notify" 'grep -qx "Type=notify" "$WORK/lib/systemd/system/outpost.service"'
check "exposure <= 1.5 (systemd-analyze security --root)" \
  'systemd-analyze security --offline=true --threshold=15 --root="$WORK" outpost.service >/dev/null 2>&1'
check "without /proc: no class-data archive, one line says so" \
  '[ ! -e "$WORK/var/cache/outpost/outpost.jsa" ] &&
   printf "%s" "$DPKG_LOG" | grep -q "could not write the class-data archive"'
check "user outpost exists" 'chroot "$WORK" getent passwd outpost >/dev/null'
check "not started (no process runs in the chroot)" \
  '! ls -l /proc/[0-9]*/root 2>/dev/null | grep -q " -> $WORK\$"'
# The JRE finds its libraries through /proc/self/exe: the CLI needs /proc (a booted image has it).
mount -t proc proc "$WORK/proc"
trap 'umount "$WORK/proc" 2>/dev/null || true; rm -rf "$WORK"' EXIT
check "the installed CLI runs on the chroot's JRE" \
  'chroot "$WORK" outpost version >/dev/null 2>&1'
check "outpost check on the shipped config says what to configure (exit 2)" \
  'chroot "$WORK" outpost check --config /etc/outpost/agent.json >/dev/null 2>&1; [ $? -eq 2 ]'
# The JDK changes (here: its trigger, as an upgrade of a JRE package under /usr/lib/jvm activates it):
# postinst, now with /proc, writes the archive and the launcher maps it.
chroot "$WORK" dpkg-trigger --no-await /usr/lib/jvm
chroot "$WORK" dpkg --triggers-only outpost >"$WORK.trigger.log" 2>&1 || cat "$WORK.trigger.log" >&2
rm -f "$WORK.trigger.log"
check "the JDK trigger writes the class-data archive" \
  '[ -s "$WORK/var/cache/outpost/outpost.jsa" ] && [ -s "$WORK/var/cache/outpost/outpost.jsa.sig" ]'
check "the agent's classes load from it" \
  'chroot "$WORK" env OUTPOST_JAVA_OPTS=-Xlog:class+load outpost version 2>&1 |
     grep -q "io.outpost.agent.cli.Main source: shared objects file"'
touch "$WORK"/usr/share/outpost/lib/outpost-agent-*.jar
check "a changed jar: the launcher leaves the stale archive out" \
  'chroot "$WORK" env OUTPOST_JAVA_OPTS=-Xlog:class+load outpost version 2>&1 |
     grep -q "io.outpost.agent.cli.Main source: file:"'
umount "$WORK/proc"
chroot "$WORK" dpkg --remove outpost >/dev/null 2>&1 || true
check "dpkg --remove deletes the archive" '[ ! -e "$WORK/var/cache/outpost" ]'

echo "chroot-install: copy, dpkg -i and checks took $(($(date +%s) - start)) s"
exit $fail
