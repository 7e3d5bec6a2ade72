#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Regenerates the binary fixtures of tests/unit/t_kimage.c (run from this
# directory; needs gcc, xz, dpkg-deb, GNU tar and GNU ar):
#
#   modinfo.ko, modinfo.ko.xz  an ELF object with a .modinfo section
#                              (depends=a,b name=x), and its xz (as the kernel
#                              compresses modules: --check=crc32)
#   fixture-xz.deb             dpkg-deb --build -Zxz (GNU tar inside)
#   fixture-gz.deb             dpkg-deb --build -Zgzip
#   fixture-pax.deb            tar --format=pax | xz, assembled with ar
#                              (GNU ar: "name/" member names), with a hard link
#
# Each package holds (t_kimage.c checks exactly this):
#   boot/vmlinuz-1.0-test            "fake kernel\n" (0644)
#   boot/config-1.0-test             "CONFIG_XFS_FS=m\n" (0644)
#   lib/modules/1.0-test/kernel/fs/x/x.ko   modinfo.ko (0644)
#   lib/modules/1.0-test/modules.builtin    "kernel/fs/ext4/ext4.ko\n"
#   usr/bin/tool                     "#!/bin/sh\n" (0755)
#   usr/share/doc/linux-test/<a path making the whole name 120+ bytes>/long.txt  "long\n"
#   lib/modules/1.0-test/build       symlink -> /usr/src/linux-test
#   fixture-pax.deb only: boot/vmlinuz.hard, a hard link to boot/vmlinuz-1.0-test
set -eu
export LC_ALL=C SOURCE_DATE_EPOCH=1700000000
cd "$(dirname "$0")"

gcc -O2 -c -fno-asynchronous-unwind-tables -fno-ident -o modinfo.ko modinfo.c
strip --strip-debug modinfo.ko
rm -f modinfo.ko.xz
xz -k --check=crc32 modinfo.ko

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
long=usr/share/doc/linux-test/a-directory-name-long-enough/to-push-the-whole-path/past-the-100-bytes-of-a-tar-name-field
mkdir -p "$root/DEBIAN" "$root/boot" "$root/lib/modules/1.0-test/kernel/fs/x" "$root/usr/bin" \
	"$root/$long"
cat > "$root/DEBIAN/control" <<CTL
Package: linux-image-1.0-test
Version: 1.0-1
Architecture: amd64
Maintainer: splicebench <splicebench@example.invalid>
Description: splicebench kimage test fixture
 Not a kernel.
CTL
printf 'fake kernel\n' > "$root/boot/vmlinuz-1.0-test"
printf 'CONFIG_XFS_FS=m\n' > "$root/boot/config-1.0-test"
cp modinfo.ko "$root/lib/modules/1.0-test/kernel/fs/x/x.ko"
printf 'kernel/fs/ext4/ext4.ko\n' > "$root/lib/modules/1.0-test/modules.builtin"
printf '#!/bin/sh\n' > "$root/usr/bin/tool"
printf 'long\n' > "$root/$long/long.txt"
ln -s /usr/src/linux-test "$root/lib/modules/1.0-test/build"
chmod 0755 "$root/usr/bin/tool" "$root/DEBIAN"
find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +

dpkg-deb --root-owner-group -Zxz --build "$root" fixture-xz.deb >/dev/null
dpkg-deb --root-owner-group -Zgzip --build "$root" fixture-gz.deb >/dev/null

# pax tar (path records for long names) with a hard link, packed by hand
ln "$root/boot/vmlinuz-1.0-test" "$root/boot/vmlinuz.hard"
touch -h -d @$SOURCE_DATE_EPOCH "$root/boot"
mkdir "$tmp/pax"
printf '2.0\n' > "$tmp/pax/debian-binary"
tar -C "$root/DEBIAN" --format=gnu --owner=0 --group=0 --numeric-owner --sort=name \
	-cf - ./control | gzip -9n > "$tmp/pax/control.tar.gz"
tar -C "$root" --format=pax --pax-option=delete=atime,delete=ctime --owner=0 --group=0 \
	--numeric-owner --sort=name --exclude=./DEBIAN -cf - . | xz --check=crc64 \
	> "$tmp/pax/data.tar.xz"
rm -f fixture-pax.deb
(cd "$tmp/pax" && ar rcD "$OLDPWD/fixture-pax.deb" debian-binary control.tar.gz data.tar.xz)
ls -l modinfo.ko modinfo.ko.xz fixture-*.deb
