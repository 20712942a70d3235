# Cross toolchain for the NEON build: Debian's gcc-aarch64-linux-gnu, binaries run under
# qemu-aarch64 (ctest goes through CMAKE_CROSSCOMPILING_EMULATOR, so `ctest` just works).
#
# Debian keeps the cross C library in /usr/aarch64-linux-gnu (libc6-dev-arm64-cross) but installs
# foreign-architecture -dev packages such as libxxhash-dev:arm64 multiarch-style, into
# /usr/lib/aarch64-linux-gnu with their headers in the shared /usr/include. Both therefore are
# find roots; CMAKE_LIBRARY_ARCHITECTURE makes find_library look in lib/aarch64-linux-gnu under
# each root first, so host (x86_64) libraries are never picked up.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# -L / makes qemu load the multiarch libc6:arm64 loader (/lib/ld-linux-aarch64.so.1, pulled in by
# libxxhash-dev:arm64), which finds its own libc and libxxhash in /usr/lib/aarch64-linux-gnu. With
# -L /usr/aarch64-linux-gnu the cross package's loader (another glibc build) ends up paired with
# libc6:arm64's libc.so.6, and pthread_create then spins forever.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/)
