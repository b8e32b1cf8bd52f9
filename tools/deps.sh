#!/bin/sh
# deps.sh - install (as root) or name (otherwise) the Debian/Ubuntu
# packages mlgate needs to build and test.  Sourced by demo and test.
MLG_PACKAGES="build-essential autoconf automake libtool pkg-config \
libcurl4-openssl-dev libcjson-dev libgsl-dev check libmicrohttpd-dev \
libxml2-utils python3-yaml mandoc groff-base ca-certificates"

mlg_have_deps() {
    command -v cc >/dev/null 2>&1 &&
    command -v make >/dev/null 2>&1 &&
    command -v autoreconf >/dev/null 2>&1 &&
    command -v libtoolize >/dev/null 2>&1 &&
    command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists libcurl libcjson gsl check libmicrohttpd
}

mlg_install_deps() {
    mlg_have_deps && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "mlgate: installing build dependencies with apt-get" >&2
        apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            $MLG_PACKAGES >/dev/null || return 1
    else
        echo "mlgate: missing build dependencies; as root run:" >&2
        echo "  apt-get install -y $MLG_PACKAGES" >&2
        return 1
    fi
}

# Configure once, then (re)build.  Extra arguments go to configure.
mlg_build() {
    if [ ! -f Makefile ]; then
        autoreconf -fi >/dev/null && ./configure -q "$@" || return 1
    fi
    make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
}
