#!/bin/sh
# Installs (or upgrades, or removes) Outpost from an unpacked release archive. Needs no network.
#
#   sudo ./install.sh                   install or upgrade; keeps /etc/outpost and /var/lib/outpost
#   sudo ./install.sh --uninstall       remove everything but configuration, state and the accounts
#   sudo ./install.sh --uninstall --purge   remove those too
#   ./install.sh --root DIR             the same into a tree (tests, image builds); nothing is started
#
# Options: --root DIR, --no-start, --no-kiosk, --allow-downgrade, --no-systemd-tools (use useradd,
# install and plain symlinks, as on a machine without systemd-sysusers/tmpfiles/systemctl).
# Exit codes: 1 failed, 2 bad usage, 3 wrong architecture, 4 downgrade refused, 5 installed but the
# web service did not start.
# Layout and every decision: docs/install.md. Safe to run again: every step checks before it acts.
set -eu

PROG=install.sh
say() { printf '%s: %s\n' "$PROG" "$*"; }
die() {
  code=$1
  shift
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit "$code"
}

ROOT=
ACTION=install
PURGE=no
START=yes
KIOSK=yes
DOWNGRADE=no
SYSTEMD_TOOLS=yes
while [ $# -gt 0 ]; do
  case $1 in
    --root) [ $# -ge 2 ] || die 2 "--root needs a folder"; ROOT=$2; shift ;;
    --root=*) ROOT=${1#--root=} ;;
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=yes ;;
    --no-start) START=no ;;
    --no-kiosk) KIOSK=no ;;
    --allow-downgrade) DOWNGRADE=yes ;;
    --no-systemd-tools) SYSTEMD_TOOLS=no ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown option '$1' (see --help)" ;;
  esac
  shift
done
[ "$PURGE" = no ] || [ "$ACTION" = uninstall ] || die 2 "--purge goes with --uninstall"

if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT" || die 1 "cannot create $ROOT"
  ROOT=$(readlink -f "$ROOT")
  [ "$ROOT" != / ] || ROOT=
fi
[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || die 1 "run as root (or give --root DIR to install into a tree)"

SRC=$(dirname "$(readlink -f "$0")")
OPT=$ROOT/opt/outpost
UNITDIR=/usr/local/lib/systemd/system
SYSUSERS=/usr/local/lib/sysusers.d/outpost.conf
TMPFILES=/usr/local/lib/tmpfiles.d/outpost.conf
UDEVDIR=/usr/local/lib/udev/rules.d
MANIFEST=$OPT/installed-files
UNITS="outpost-web.service outpost-agent.socket outpost-agent.service outpost-kiosk.service outpost-usb@.service"

# systemd as PID 1 on this very machine: only then are units started and daemons reloaded.
booted() { [ -z "$ROOT" ] && [ -d /run/systemd/system ]; }
have() { [ "$SYSTEMD_TOOLS" = yes ] && command -v "$1" >/dev/null 2>&1; }
# In a user namespace (unshare -r) only our own id maps: owners other than root cannot be set there.
in_userns() { ! grep -qs '^ *0 *0 *4294967295$' /proc/self/uid_map; }
chown_to() {
  chown "$@" 2>/dev/null && return 0
  if [ -n "$ROOT" ] && in_userns; then say "warning: cannot chown $* inside a user namespace (test tree)"; return 0; fi
  chown "$@"
}

# "key": "value" from a release.json written by scripts/package.ts (one key per line).
json_field() { sed -n "s/^  \"$1\": \"\\([^\"]*\\)\",\\{0,1\\}\$/\\1/p" "$2"; }
# 0 when version $1 sorts after $2 (sort -V: 1.10.0 > 1.9.0; a pre-release sorts after its release).
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }
id_of() { awk -F: -v n="$2" '$1 == n { print $3 }' "$ROOT/etc/$1" 2>/dev/null; }
# useradd, groupadd, usermod, userdel, groupdel on the tree's /etc (shadow's --prefix) or this machine's.
shadow_tool() {
  tool=$1
  shift
  if [ -n "$ROOT" ]; then "$tool" --prefix "$ROOT" "$@"; else "$tool" "$@"; fi
}

# --- users, folders, units: shared by install and uninstall -------------------------------------

create_accounts() {
  mkdir -p "$ROOT/etc"
  if have systemd-sysusers; then
    if [ -n "$ROOT" ]; then systemd-sysusers --root="$ROOT" "$ROOT$SYSUSERS" >/dev/null; else systemd-sysusers "$SYSUSERS" >/dev/null; fi
    return
  fi
  for f in passwd group shadow gshadow; do [ -e "$ROOT/etc/$f" ] || : >"$ROOT/etc/$f"; done
  for account in outpost outpost-kiosk; do
    home=/var/lib/outpost
    [ "$account" = outpost ] || home=/run/outpost-kiosk
    [ -n "$(id_of group "$account")" ] || shadow_tool groupadd --system "$account"
    [ -n "$(id_of passwd "$account")" ] ||
      shadow_tool useradd --system --gid "$account" --no-create-home --shell /usr/sbin/nologin --home-dir "$home" "$account"
  done
  for group in video render input; do
    [ -z "$(id_of group "$group")" ] || shadow_tool usermod -a -G "$group" outpost-kiosk
  done
}

create_folders() {
  if have systemd-tmpfiles; then
    if [ -n "$ROOT" ]; then systemd-tmpfiles --root="$ROOT" --create "$ROOT$TMPFILES"; else systemd-tmpfiles --create "$TMPFILES"; fi
    return
  fi
  uid=$(id_of passwd outpost)
  gid=$(id_of group outpost)
  if [ -z "$uid" ] || [ -z "$gid" ]; then die 1 "the outpost account is missing"; fi
  install -d -m 0700 "$ROOT/var/lib/outpost" && chown_to "+$uid:+$gid" "$ROOT/var/lib/outpost" && chmod 0700 "$ROOT/var/lib/outpost"
  for d in /etc/outpost /etc/outpost/trust /run/outpost; do
    install -d -m 0750 "$ROOT$d" && chown_to "+0:+$gid" "$ROOT$d" && chmod 0750 "$ROOT$d"
  done
}

# Links $1 into the .wants folder of its [Install] WantedBy= target(s), as `systemctl enable` does.
link_unit() {
  # shellcheck disable=SC2013 # WantedBy= is a space-separated list
  for target in $(sed -n 's/^WantedBy=//p' "$ROOT$UNITDIR/$1"); do
    mkdir -p "$ROOT/etc/systemd/system/$target.wants"
    ln -sfn "$UNITDIR/$1" "$ROOT/etc/systemd/system/$target.wants/$1"
  done
}

enable_unit() {
  if have systemctl; then
    if booted; then systemctl enable --quiet "$1"; else systemctl --root="${ROOT:-/}" enable --quiet "$1" 2>/dev/null; fi
  else
    link_unit "$1"
  fi
}

disable_unit() {
  if have systemctl && booted; then
    systemctl stop "$1" 2>/dev/null || true
    systemctl disable --quiet "$1" 2>/dev/null || true
  elif have systemctl && [ -e "$ROOT$UNITDIR/$1" ]; then
    systemctl --root="${ROOT:-/}" disable --quiet "$1" 2>/dev/null || true
  fi
  # Whatever a hand-made or systemctl link left behind.
  find "$ROOT/etc/systemd/system" -path "*.wants/$1" -type l -exec rm -f {} + 2>/dev/null || true
}

# Copies $1 to $2 (root-owned, mode $3) through a temporary name, so a reader never sees half a file.
put_file() {
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.new.$$"
  chown_to +0:+0 "$2.new.$$"
  chmod "$3" "$2.new.$$"
  mv -f "$2.new.$$" "$2"
  echo "${2#"$ROOT"}" >>"$MANIFEST.new"
}

# --- uninstall ------------------------------------------------------------------------------

uninstall() {
  for unit in outpost-kiosk.service outpost-web.service outpost-agent.socket outpost-agent.service; do disable_unit "$unit"; done
  if [ -f "$MANIFEST" ]; then
    while IFS= read -r f; do
      case $f in /usr/local/lib/* | /opt/outpost/*) rm -f "$ROOT$f" ;; esac
    done <"$MANIFEST"
  fi
  # Also the known paths, should the list be missing (an interrupted first install).
  for unit in $UNITS; do rm -f "$ROOT$UNITDIR/$unit"; done
  rm -f "$ROOT$SYSUSERS" "$ROOT$TMPFILES"
  rm -rf "$OPT"
  if booted; then systemctl daemon-reload; fi
  if [ "$PURGE" = yes ]; then
    rm -rf "$ROOT/etc/outpost" "$ROOT/var/lib/outpost" "$ROOT/run/outpost"
    for account in outpost-kiosk outpost; do
      [ -z "$(id_of passwd "$account")" ] || shadow_tool userdel "$account"
      [ -z "$(id_of group "$account")" ] || shadow_tool groupdel "$account"
    done
    say "removed Outpost, its configuration, its state and its accounts"
  else
    say "removed Outpost; kept /etc/outpost, /var/lib/outpost and the outpost accounts (--purge removes them)"
  fi
}

# --- install --------------------------------------------------------------------------------

machine_arch() {
  case $(uname -m) in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

check_release() {
  if [ ! -f "$SRC/release.json" ] || [ ! -f "$SRC/SHA256SUMS" ]; then die 1 "$SRC is not an unpacked Outpost release (no release.json or SHA256SUMS)"; fi
  VERSION=$(json_field version "$SRC/release.json")
  ARCH=$(json_field arch "$SRC/release.json")
  NODE=$(json_field node "$SRC/release.json")
  if [ -z "$VERSION" ] || [ -z "$ARCH" ] || [ -z "$NODE" ]; then die 1 "release.json lacks version, arch or node"; fi
  here=$(machine_arch)
  [ "$ARCH" = "$here" ] || die 3 "this archive is for linux-$ARCH but this machine is $(uname -m) (linux-$here): use outpost-$VERSION-linux-$here.tar.gz"
  (cd "$SRC" && sha256sum --quiet --strict -c SHA256SUMS) || die 1 "files differ from SHA256SUMS: the archive is damaged; copy it again"
  ran=$("$SRC/bin/node" --version 2>&1) || die 3 "the shipped Node does not run here: $ran"
  [ "$ran" = "v$NODE" ] || die 1 "bin/node is $ran, release.json says v$NODE"
}

copy_release() {
  dest=$OPT/releases/$VERSION
  if [ "$(readlink -f "$dest" 2>/dev/null)" = "$SRC" ]; then
    say "running from the installed release $VERSION itself"
    return
  fi
  if [ -f "$dest/SHA256SUMS" ] && cmp -s "$dest/SHA256SUMS" "$SRC/SHA256SUMS" && (cd "$dest" && sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1); then
    say "release $VERSION is already in place"
    return
  fi
  mkdir -p "$OPT/releases"
  tmp=$OPT/releases/.$VERSION.new.$$
  rm -rf "$tmp"
  cp -R "$SRC/." "$tmp"
  # Whoever unpacked the archive must not own code that root (the agent) runs.
  chown_to -R +0:+0 "$tmp"
  chmod -R go-w "$tmp"
  rm -rf "$dest"
  mv "$tmp" "$dest"
}

# Points $OPT/$1 at releases/$2 with one rename.
point() {
  ln -sfn "releases/$2" "$OPT/.$1.new"
  mv -fT "$OPT/.$1.new" "$OPT/$1"
}

write_default_config() {
  config=$ROOT/etc/outpost/config.yaml
  [ ! -e "$config" ] || return 0
  cat >"$config.new.$$" <<'YAML'
# Outpost device settings (docs/configuration.md). Written once by install.sh; never overwritten.
# The LocalUI for technicians on this device's networks: HTTPS with a certificate made at first
# start (its fingerprint is on the kiosk screen). 443 would need a capability the web process lacks.
listen:
  address: 0.0.0.0
  port: 8443
# The privileged agent's socket (outpost-agent.socket): `outpost upgrade` and `outpost usb` reach it here.
agent:
  socket: /run/outpost/agent.sock
YAML
  gid=$(id_of group outpost)
  chown_to "+0:+${gid:-0}" "$config.new.$$"
  chmod 0640 "$config.new.$$"
  mv "$config.new.$$" "$config"
  say "wrote a default $config"
}

install_release() {
  check_release
  installed=
  [ ! -f "$OPT/current/release.json" ] || installed=$(json_field version "$OPT/current/release.json")
  if [ -n "$installed" ] && newer "$installed" "$VERSION" && [ "$DOWNGRADE" = no ]; then
    die 4 "Outpost $installed is installed, newer than $VERSION: state it wrote may not be readable by an older" \
      "version (migrations only go forward). --allow-downgrade installs anyway"
  fi

  mkdir -p "$OPT/bin"
  : >"$MANIFEST.new"
  put_file "$SRC/systemd/outpost.sysusers.conf" "$ROOT$SYSUSERS" 0644
  put_file "$SRC/systemd/outpost.tmpfiles.conf" "$ROOT$TMPFILES" 0644
  create_accounts
  create_folders

  copy_release
  previous=$(readlink "$OPT/current" 2>/dev/null || true)
  point current "$VERSION"
  if [ -n "$previous" ] && [ "$previous" != "releases/$VERSION" ] && [ -d "$OPT/$previous" ]; then
    point previous "${previous#releases/}"
  fi
  # Keep the current and the previous release (a manual rollback: docs/install.md); drop older ones.
  keep_previous=$(readlink "$OPT/previous" 2>/dev/null || true)
  for r in "$OPT"/releases/*; do
    [ -d "$r" ] || continue
    name=releases/$(basename "$r")
    [ "$name" = "releases/$VERSION" ] || [ "$name" = "$keep_previous" ] || rm -rf "$r"
  done
  [ -z "$keep_previous" ] || [ -d "$OPT/$keep_previous" ] || rm -f "$OPT/previous"

  put_file "$SRC/bin/outpost" "$OPT/bin/outpost" 0755
  for unit in $UNITS; do put_file "$SRC/systemd/$unit" "$ROOT$UNITDIR/$unit" 0644; done
  for rule in "$SRC"/systemd/*.rules; do
    [ -e "$rule" ] || continue
    put_file "$rule" "$ROOT$UDEVDIR/$(basename "$rule")" 0644
  done
  # Files an older release installed that this one no longer has.
  if [ -f "$MANIFEST" ]; then
    while IFS= read -r f; do
      grep -qxF "$f" "$MANIFEST.new" || case $f in /usr/local/lib/*) rm -f "$ROOT$f" ;; esac
    done <"$MANIFEST"
  fi
  mv -f "$MANIFEST.new" "$MANIFEST"
  write_default_config

  enable_unit outpost-web.service
  with_agent=no
  if "$OPT/bin/outpost" agent --help >/dev/null 2>&1; then
    with_agent=yes
    enable_unit outpost-agent.socket
  fi
  with_kiosk=no
  if [ "$KIOSK" = yes ] && [ -x "$ROOT/usr/bin/cage" ] && [ -x "$ROOT/usr/bin/chromium" ]; then
    with_kiosk=yes
    enable_unit outpost-kiosk.service
  else
    disable_unit outpost-kiosk.service
  fi

  started=yes
  if booted; then
    [ ! -e "$ROOT$UDEVDIR" ] || udevadm control --reload 2>/dev/null || true
    systemctl daemon-reload
    if [ "$START" = yes ]; then
      # An upgrade restarts the web process on the new release (migrations run as it starts); systemctl
      # waits for its READY=1.
      if ! systemctl restart outpost-web.service; then
        started=no
        say "error: outpost-web did not start; see: journalctl -u outpost-web"
      fi
      [ "$with_agent" = no ] || systemctl start outpost-agent.socket || started=no
      [ "$with_kiosk" = no ] || systemctl restart outpost-kiosk.service || say "warning: the kiosk screen did not start; see: journalctl -u outpost-kiosk"
    fi
  fi

  if [ -z "$installed" ]; then
    what="installed Outpost $VERSION"
  elif [ "$installed" = "$VERSION" ]; then
    what="reinstalled Outpost $VERSION"
  elif newer "$VERSION" "$installed"; then
    what="upgraded Outpost $installed to $VERSION"
  else
    what="downgraded Outpost $installed to $VERSION"
  fi
  say "$what (linux-$ARCH, Node $NODE) in ${ROOT:-}/opt/outpost"
  [ "$with_agent" = yes ] || say "this release has no 'outpost agent' yet: outpost-agent.socket is installed, not enabled"
  [ "$with_kiosk" = yes ] || say "kiosk screen not enabled (needs cage and chromium: apt-get install cage chromium, then run this again)"
  if [ -z "$ROOT" ] && [ -z "$installed" ]; then
    say "first start: the setup code is on the kiosk screen and in: journalctl -u outpost-web | grep -i 'setup code'"
  fi
  # Installed, but not running: a distinct code, so automation notices.
  [ "$started" = yes ] || exit 5
}

case $ACTION in
  install) install_release ;;
  uninstall) uninstall ;;
esac
