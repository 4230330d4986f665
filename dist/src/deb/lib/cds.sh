# Application class-data sharing (AppCDS) for the Outpost launchers and cds-dump; sourced, POSIX sh.
#
# The archive holds the JDK's and Outpost's classes the agent loads (the list in outpost.classlist),
# parsed and laid out once, and mapped read-only at start: about 1.5 MB less resident and a faster
# start (docs/performance.md, "Agent"). It is only valid for the JVM and the jars it was dumped with,
# and a JVM given an archive it cannot use (another JDK build, a jar changed, the file missing) starts
# fine but silently runs with no class sharing at all, not even the JDK's own archive: worse than
# passing nothing. So cds_dump writes ARCHIVE.sig beside the archive (the stat identity of libjvm, the
# JDK's modules file, every jar and the archive itself), and the launchers pass the archive only while
# one stat call still gives the same line: no extra JVM start.

# cds_signature JAVA LIB ARCHIVE: one line naming size, mtime and inode of the files the archive
# depends on; prints nothing (and fails) when one of them is missing.
cds_signature() {
  cds_java="$(command -v "$1" 2>/dev/null)" || return 1
  cds_java="$(readlink -f "$cds_java")" || return 1
  cds_jdk="${cds_java%/bin/java}"
  stat --printf '%n:%s:%Y:%i ' "$cds_jdk"/lib/modules "$cds_jdk"/lib/*/libjvm.so "$2"/*.jar "$3" 2>/dev/null
}

# cds_options JAVA LIB ARCHIVE: sets CDS_OPTS to the flag that maps ARCHIVE when its signature still
# holds. Returns 0 then, 1 when class sharing is switched off (OUTPOST_CDS=off, or -Xshare /
# SharedArchiveFile already in OUTPOST_JAVA_OPTS), 2 when the archive is missing or stale.
cds_options() {
  CDS_OPTS=
  case "${OUTPOST_CDS:-on}" in off | no | false | 0) return 1 ;; esac
  case " ${OUTPOST_JAVA_OPTS:-} " in *" -Xshare:"* | *SharedArchiveFile=*) return 1 ;; esac
  [ -r "$3.sig" ] || return 2
  cds_saved=
  IFS= read -r cds_saved <"$3.sig" || true
  cds_now="$(cds_signature "$1" "$2" "$3")" || return 2
  [ -n "$cds_saved" ] && [ "$cds_now" = "$cds_saved" ] || return 2
  # shellcheck disable=SC2034 # read by the launchers that source this file
  CDS_OPTS="-XX:SharedArchiveFile=$3"
  return 0
}

# cds_dump JAVA LIB CLASSLIST ARCHIVE: writes ARCHIVE (and ARCHIVE.sig) for the classes of CLASSLIST
# found in the JDK and LIB/*.jar, the JVM's output in ARCHIVE.log (a class list older or newer than the
# jars only gives warnings there: classes it names that no longer exist are skipped, classes it does not
# name load from their jars as without an archive). Atomic: temp files renamed; the old signature goes
# first, so no launcher pairs a new archive with an old signature. On failure nothing is left but the log.
# The dump runs with the agent's collector: with SerialGC a JDK 17 JVM cannot use archived heap
# objects, so none are written (2 MB less on flash).
cds_dump() {
  cds_tmp="$4.tmp.$$"
  rm -f "$4.sig"
  if "$1" -XX:+UseSerialGC -XX:-UsePerfData -Xshare:dump -XX:SharedClassListFile="$3" \
    -XX:SharedArchiveFile="$cds_tmp" -cp "$2/*" >"$4.log" 2>&1 && [ -s "$cds_tmp" ]; then
    chmod 0444 "$cds_tmp" # readable by the service's user whatever the umask
    mv -f "$cds_tmp" "$4"
    if cds_sig="$(cds_signature "$1" "$2" "$4")" && [ -n "$cds_sig" ]; then
      printf '%s\n' "$cds_sig" >"$cds_tmp.sig" && chmod 0444 "$cds_tmp.sig" && mv -f "$cds_tmp.sig" "$4.sig" && return 0
    fi
    echo "could not write $4.sig" >>"$4.log"
  fi
  rm -f "$cds_tmp" "$cds_tmp.sig" "$4" "$4.sig"
  return 1
}
