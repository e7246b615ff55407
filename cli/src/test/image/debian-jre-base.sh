#!/usr/bin/env bash
# Builds a container base image (docker-save tarball, one layer) holding Debian's OpenJDK 17 JRE, from the
# apt mirror this machine already uses, without Docker, debootstrap or a registry: `apt-get download` the JRE and
# its dependency closure (no recommends), `dpkg -x` each into one root filesystem, tar it as a layer.
# Maintainer scripts do not run (nothing is configured): no Java trust store (/etc/ssl/certs/java/cacerts) and no
# /usr/bin/java alternative, so PATH names the JRE's own bin/. Good for tests, not a base to ship.
#
#   debian-jre-base.sh OUT.tar [CACHE_DIR]
# The result is cached as CACHE_DIR/base-<hash of this script>.tar and copied to OUT.tar; later runs reuse it.
set -euo pipefail
out="$1"
cache="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/seqstream/image-base}"
package=openjdk-17-jre-headless
key="$(sha256sum "$0" | cut -c1-16)"
cached="$cache/base-$key.tar"
mkdir -p "$cache" "$(dirname "$out")"
if [[ -s "$cached" ]]; then
  cp "$cached" "$out"
  echo "base image: reused $cached"
  exit 0
fi

work="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# Which packages: what apt would install for the JRE on an empty system (first alternatives, no recommends).
: > "$work/empty-status"
if ! apt-get -s -o Dir::State::status="$work/empty-status" -o APT::Install-Recommends=false \
      install "$package" > "$work/plan" 2>&1; then
  apt-get update -qq
  apt-get -s -o Dir::State::status="$work/empty-status" -o APT::Install-Recommends=false install "$package" \
    > "$work/plan"
fi
mapfile -t packages < <(awk '/^Inst /{print $2}' "$work/plan")
[[ ${#packages[@]} -gt 0 ]] || { echo "no packages resolved for $package" >&2; exit 1; }

# Download into the cache (kept across runs and script changes), then unpack each into the root filesystem.
mkdir -p "$cache/debs" "$work/rootfs"
download() { (cd "$cache/debs" && apt-get download -q "${packages[@]}" >/dev/null 2>"$work/download.log"); }
if ! download; then
  # Stale package lists name versions the mirror no longer has: refresh them once.
  apt-get update -qq
  download || { cat "$work/download.log" >&2; exit 1; }
fi
for p in "${packages[@]}"; do
  deb="$(ls -t "$cache/debs/${p}"_*.deb | head -1)"
  dpkg -x "$deb" "$work/rootfs"
done

root="$work/rootfs"
jre=/usr/lib/jvm/java-17-openjdk-amd64
test -x "$root$jre/bin/java"
# What a container runtime would otherwise miss: a world-writable /tmp, mount points, name resolution.
mkdir -p "$root/tmp" "$root/proc" "$root/dev" "$root/sys" "$root/etc"
chmod 1777 "$root/tmp"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' > "$root/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# One layer (numeric root ownership, fixed times) plus a docker-save manifest and image config.
image="$work/image"
mkdir -p "$image"
tar --numeric-owner --owner=0 --group=0 --mtime='2000-01-01 00:00:00Z' --sort=name -C "$root" -cf "$image/layer.tar" .
diff_id="sha256:$(sha256sum "$image/layer.tar" | cut -d' ' -f1)"
cat > "$image/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=$jre/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$jre"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]}}
JSON
printf '[{"Config":"config.json","RepoTags":["seqstream-test-base:latest"],"Layers":["layer.tar"]}]\n' \
  > "$image/manifest.json"
tar -C "$image" -cf "$cached.partial" manifest.json config.json layer.tar
mv "$cached.partial" "$cached"
cp "$cached" "$out"
echo "base image: built $cached from ${#packages[@]} packages in $((SECONDS - start)) s ($(du -h "$cached" | cut -f1))"
