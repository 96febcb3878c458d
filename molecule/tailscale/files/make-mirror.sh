#!/bin/sh
# Make the tailscale scenario's package mirror from a static Tailscale tarball, the way
# a team would mirror Tailscale for hosts that cannot reach pkgs.tailscale.com:
#
#   ROOT/static/tailscale_<version>_<arch>.tgz       the tarball itself
#   ROOT/apt/pool/main/t/tailscale/*.deb             a .deb of the same binaries
#   ROOT/apt/dists/{bookworm,trixie}/...             signed with a throwaway key
#   ROOT/apt/teamhub-ts-archive-keyring.gpg          its public key (binary keyring)
#
#   make-mirror.sh TARBALL ROOT
#
# The signing key is made here, in this test run, and never leaves this host (only
# the public key is published). Needs dpkg-deb, apt-ftparchive (apt-utils) and gpg.
set -eu

tarball=$1
root=$2
name=$(basename "$tarball" .tgz)          # tailscale_<version>_<arch>
version=$(echo "$name" | cut -d_ -f2)
arch=$(echo "$name" | cut -d_ -f3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$root/static" "$root/apt/pool/main/t/tailscale"
cp "$tarball" "$root/static/$name.tgz"

# The package: the same layout as Tailscale's own .deb.
tar -C "$work" -xzf "$tarball"
pkg=$work/pkg
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/sbin" "$pkg/lib/systemd/system" "$pkg/etc/default"
install -m 0755 "$work/$name/tailscale" "$pkg/usr/bin/tailscale"
install -m 0755 "$work/$name/tailscaled" "$pkg/usr/sbin/tailscaled"
install -m 0644 "$work/$name/systemd/tailscaled.service" "$pkg/lib/systemd/system/tailscaled.service"
install -m 0644 "$work/$name/systemd/tailscaled.defaults" "$pkg/etc/default/tailscaled"
cat >"$pkg/DEBIAN/control" <<EOF
Package: tailscale
Version: $version
Architecture: $arch
Maintainer: TeamHub tests <tests@teamhub.test>
Section: net
Priority: optional
Description: Tailscale node agent (TeamHub test build from source)
 tailscale and tailscaled built from the tailscale.com Go module.
EOF
echo /etc/default/tailscaled >"$pkg/DEBIAN/conffiles"
cat >"$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable tailscaled.service
  systemctl restart tailscaled.service
fi
EOF
cat >"$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl stop tailscaled.service || true
  if [ "$1" = remove ]; then systemctl disable tailscaled.service || true; fi
fi
EOF
cat >"$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$pkg" "$root/apt/pool/main/t/tailscale/tailscale_${version}_${arch}.deb" >/dev/null

# A throwaway signing key, made for this run only.
GNUPGHOME=$work/gnupg
export GNUPGHOME
install -d -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "TeamHub tailscale scenario test archive <tests@teamhub.test>" ed25519 sign 1d
gpg --batch --export >"$root/apt/teamhub-ts-archive-keyring.gpg"

# The repository, laid out like pkgs.tailscale.com/stable/debian: one suite per codename.
cd "$root/apt"
for suite in bookworm trixie; do
  dir=dists/$suite/main/binary-$arch
  mkdir -p "$dir"
  apt-ftparchive packages pool >"$dir/Packages"
  gzip -9kf "$dir/Packages"
  apt-ftparchive \
    -o APT::FTPArchive::Release::Origin=TeamHub-tests \
    -o APT::FTPArchive::Release::Suite="$suite" \
    -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Components=main \
    -o APT::FTPArchive::Release::Architectures="$arch" \
    release "dists/$suite" >"$work/Release"
  mv "$work/Release" "dists/$suite/Release"
  gpg --batch --yes --clearsign -o "dists/$suite/InRelease" "dists/$suite/Release"
  gpg --batch --yes --armor --detach-sign -o "dists/$suite/Release.gpg" "dists/$suite/Release"
done
