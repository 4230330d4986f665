#!/bin/sh
# Unpacks Debian's aarch64 Java 17 runtime into DIR/root for qemu-aarch64-static -L DIR/root.
# The packages are fetched with apt into DIR (its own lists and archive cache): the machine's
# architecture list and apt state stay as they were. Reruns reuse DIR.
set -eu
DIR="$1"
[ -x "$DIR/root/usr/lib/jvm/java-17-openjdk-arm64/bin/java" ] && exit 0
mkdir -p "$DIR/lists/partial" "$DIR/debs/partial" "$DIR/root"
o="-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 -oDir::State::Lists=$DIR/lists -oDir::Cache::archives=$DIR/debs -oDebug::NoLocking=1 -oAPT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get $o -qq update
cd "$DIR/debs"
# shellcheck disable=SC2086
apt-get $o -qq download openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g
for d in "$DIR"/debs/*.deb; do dpkg-deb -x "$d" "$DIR/root"; done
