#!/usr/bin/env bash
# Installs the Debian 12 packages refast needs to build, test, fuzz and cross-build for NEON.
# Idempotent: asks dpkg what is already there and installs only what is missing, so a second run
# does nothing (and needs no root). Everything comes from Debian's own archive through apt-get;
# nothing is downloaded any other way and nothing is vendored.
#
#   scripts/setup.sh                native toolchain + the aarch64 cross toolchain and qemu
#   scripts/setup.sh --native-only  skip the cross side (enough for scripts/main.sh)
#
# Output: one line per step; apt's own chatter goes to build/setup.log.
set -euo pipefail

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

native_only=0
opts="$*"
for arg in "$@"; do
    case "$arg" in
        --native-only) native_only=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log="$root/build/setup.log"

# Native side. clang-14 + libclang-rt-14-dev give libFuzzer and the sanitizer runtimes;
# gcc's own sanitizer runtimes (libasan8, libubsan1) come with gcc. zlib reads gzipped IDX image
# sets; dataset-fashion-mnist is the pMoE experiment's default data (/usr/share/datasets); oneDNN
# is the GRU's external truth and benchmark peer; valgrind gives `refast bench --counter
# instructions`; Open MPI runs `refast sim` across ranks; chromium renders the HTML reports in the
# browser test.
native=(cmake ninja-build gcc g++ clang-14 libclang-rt-14-dev
        libbenchmark-dev libxxhash-dev libopenblas-dev liblapacke-dev zlib1g-dev
        dataset-fashion-mnist libdnnl-dev valgrind libopenmpi-dev openmpi-bin chromium)
# Cross side for the NEON build (configured with REFAST_BENCH=OFF, so no libbenchmark-dev:arm64).
# The C library for linking comes with g++-aarch64-linux-gnu (libc6-dev-arm64-cross); the arm64
# -dev packages install multiarch-style into /usr/lib/aarch64-linux-gnu, and libc6:arm64 gives
# qemu-aarch64 a loader that searches there.
cross=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user
       libc6:arm64 libxxhash-dev:arm64 libopenblas-dev:arm64 liblapacke-dev:arm64 zlib1g-dev:arm64)

native_arch=$(dpkg --print-architecture)

# True when package $1 (optionally arch-qualified, "name:arch") is installed. An unqualified name
# means the native architecture (or an Architecture: all package).
installed() {
    local name=${1%%:*} want_arch=
    [[ $1 == *:* ]] && want_arch=${1#*:}
    local line arch status
    while read -r arch status; do
        [[ $status == ii* ]] || continue
        if [[ -n $want_arch ]]; then
            [[ $arch == "$want_arch" ]] && return 0
        else
            [[ $arch == "$native_arch" || $arch == all ]] && return 0
        fi
    done < <(dpkg-query -W -f='${Architecture} ${db:Status-Abbrev}\n' "$name" 2>/dev/null || true)
    return 1
}

step() { printf 'setup: %-44s %s\n' "$1" "$2"; }

# $1: what needs doing; $2: the command that would do it.
need_root() {
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: $1 needs root: run 'sudo scripts/setup.sh $opts' once (or yourself: $2)" >&2
        exit 1
    fi
}

wanted=("${native[@]}")
if [[ $native_only -eq 0 ]]; then
    if [[ $native_arch != amd64 ]]; then
        step "cross toolchain" "skipped (host is $native_arch, not amd64)"
        native_only=1
    else
        wanted+=("${cross[@]}")
        if ! dpkg --print-foreign-architectures | grep -qx arm64; then
            need_root "adding the arm64 architecture" "dpkg --add-architecture arm64"
            dpkg --add-architecture arm64
            step "dpkg --add-architecture arm64" "done"
            # a new architecture needs fresh package lists even if everything else is present
            force_update=1
        fi
    fi
fi

missing=()
for p in "${wanted[@]}"; do
    installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 && -z ${force_update:-} ]]; then
    step "packages (${#wanted[@]})" "all present"
    exit 0
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    need_root "installing ${missing[*]}" "apt-get install ${missing[*]}"
fi

export DEBIAN_FRONTEND=noninteractive
mkdir -p "$root/build"
: >"$log"
t0=$SECONDS
if ! apt-get update >>"$log" 2>&1; then
    step "apt-get update" "FAILED (see $log)"
    tail -n 20 "$log" >&2
    exit 1
fi
step "apt-get update" "ok ($((SECONDS - t0)) s)"

if [[ ${#missing[@]} -gt 0 ]]; then
    t0=$SECONDS
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        step "apt-get install ${#missing[@]} packages" "FAILED (see $log)"
        tail -n 20 "$log" >&2
        exit 1
    fi
    step "apt-get install ${#missing[@]} packages" "ok ($((SECONDS - t0)) s): ${missing[*]}"
fi

still=()
for p in "${wanted[@]}"; do
    installed "$p" || still+=("$p")
done
if [[ ${#still[@]} -gt 0 ]]; then
    step "check" "FAILED: still missing ${still[*]}"
    exit 1
fi
step "packages (${#wanted[@]})" "all present"
