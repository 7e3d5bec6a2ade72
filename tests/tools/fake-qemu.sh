#!/bin/sh
# A stand-in for qemu-system-x86_64 (tests/integration/t_vm_host.sh): takes
# the console and result chardev paths from the command line and behaves as
# FAKE_QEMU_MODE says. FAKE_QEMU_DIR holds the frames to send (made by
# sb-vmtest) and receives argv.txt.
if [ "$1" = "--version" ]; then
	echo "QEMU emulator version 0.0 (splicebench fake)"
	exit 0
fi
con= res=
for a in "$@"; do
	case "$a" in
	file,id=con,path=*) con=${a#file,id=con,path=} ;;
	file,id=res,path=*) res=${a#file,id=res,path=} ;;
	esac
done
printf '%s\n' "$@" >"$FAKE_QEMU_DIR/argv.txt"
boot() { echo "Linux version 6.1.0-test"; echo "SPLICEBENCH-BOOTED uptime=1.000"; }
case "$FAKE_QEMU_MODE" in
fail) echo "qemu-system-x86_64: -kernel: could not load kernel" >&2; exit 1 ;;
noboot) echo "Probing EDD (edd=off to disable)... ok" >"$con"; exec sleep 600 ;;
hang) boot >"$con"; exec sleep 600 ;;
panic) { boot; echo "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000"; } >"$con" ;;
warning) { boot; echo "WARNING: CPU: 0 PID: 1 at mm/filemap.c:1 test+0x0/0x1"; } >"$con"
	cat "$FAKE_QEMU_DIR/frames" >"$res" ;;
noresult) boot >"$con" ;;
killed) boot >"$con"; kill -KILL $$ ;;
earlypanic) echo "Kernel panic - not syncing: VFS: Unable to mount root fs" >"$con" ;;
*) boot >"$con"; cat "$FAKE_QEMU_DIR/frames" >"$res" ;;
esac
exit 0
