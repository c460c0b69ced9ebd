#!/bin/sh
# cargo-deny over the whole dependency tree (deny.toml): licenses, bans, sources, and the
# advisories of the vendored RustSec snapshot (deny/advisory-db/SNAPSHOT says which). cargo-deny
# reads an advisory database from a git checkout at target/advisory-dbs/advisory-db-<hash of
# its URL>; this builds one from the snapshot, offline.
set -eu
cd "$(dirname "$0")/.."
db=target/advisory-dbs/advisory-db-3157b0e258782691
if [ ! -d "$db/.git" ]; then
  rm -rf "$db"
  mkdir -p "$db"
  cp -R deny/advisory-db/. "$db"
  git -C "$db" init -q
  git -C "$db" add -A
  GIT_COMMITTER_DATE="2026-08-21T08:28:40+02:00" git -C "$db" -c user.name=fluxo -c user.email=fluxo@localhost \
    commit -q --date "2026-08-21T08:28:40+02:00" -m "RustSec advisory-db snapshot bf5c0d2"
fi
cargo deny --offline check
