#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine without a GPU needs for WebGPU in Node and in Chromium:
# a CPU Vulkan driver that Dawn accepts (Mesa lavapipe >= 23, from bookworm-backports on Debian 12)
# and, with --browser, Debian's chromium (WebGPU on SwiftShader) for the browser test.
# Idempotent: does nothing when the pieces are already there.
set -euo pipefail
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

have_lavapipe() {
  # Dawn rejects Mesa 22's lavapipe; accept 23 or newer.
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 23 && [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 -o -e /usr/lib/aarch64-linux-gnu/libvulkan.so.1 ]
}
have_chromium() { [ -x /usr/bin/chromium ]; }
# Vulkan drivers other than the CPU ones (a real GPU's), by their ICD files; VK_ICD_FILENAMES counts too.
other_vulkan() {
  local f found=""
  for f in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json; do
    [ -e "$f" ] || continue
    case "$(basename "$f")" in lvp_icd*|*swiftshader*) ;; *) found="$found $(basename "$f")" ;; esac
  done
  [ -n "${VK_ICD_FILENAMES:-}" ] && found="$found VK_ICD_FILENAMES"
  [ -n "$found" ] && echo "$found"
}

# The shaders load through process.getBuiltinModule (Node 20.16+, 22.3+ on the 22 line).
if ! node -e 'process.exit(typeof process.getBuiltinModule === "function" ? 0 : 1)' 2>/dev/null; then
  echo "topo-shapr setup: Node $(node -v 2>/dev/null || echo '(not found)') is too old: 20.16 or newer is needed (22.3 or newer on the 22 line)" >&2
  exit 1
fi

need=()
have_lavapipe || need+=(vulkan)
[ $want_browser = 1 ] && ! have_chromium && need+=(chromium)
[ ${#need[@]} = 0 ] && exit 0

. /etc/os-release 2>/dev/null || true
codename=${VERSION_CODENAME:-}
print_manual() {
  cat >&2 <<MSG
topo-shapr setup: cannot install the CPU WebGPU driver by itself here (${1}).
Run as root on Debian 12:
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
  apt-get update && apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
On Ubuntu 24.04 or Debian 13+: apt-get install -y mesa-vulkan-drivers libvulkan1
For the browser test also: apt-get install -y chromium
MSG
  # a machine with a GPU driver needs no CPU one: go on, and let the adapter search decide
  local other
  if [ $want_browser = 0 ] && other=$(other_vulkan); then
    echo "topo-shapr setup: going on with the Vulkan driver(s) found:$other" >&2
    exit 0
  fi
  exit 1
}
[ "$(id -u)" = 0 ] || print_manual "not root"
command -v apt-get >/dev/null || print_manual "no apt-get"

export DEBIAN_FRONTEND=noninteractive
pkgs_target=()
if [ "$codename" = bookworm ]; then
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/topo-shapr-backports.list
  fi
  pkgs_target=(-t bookworm-backports)
fi
echo "topo-shapr setup: installing ${need[*]} (apt) ..." >&2
apt-get update -qq >/dev/null
for n in "${need[@]}"; do
  case $n in
    vulkan) apt-get install -y -qq "${pkgs_target[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null ;;
    chromium) apt-get install -y -qq chromium >/dev/null ;;
  esac
done
echo "topo-shapr setup: done" >&2
