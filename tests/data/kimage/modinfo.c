// SPDX-License-Identifier: MIT
/*
 * A stand-in for a kernel module: an ELF object whose .modinfo section holds
 * "key=value" strings the way modpost writes them (one NUL-terminated string
 * per MODULE_INFO). Built into modinfo.ko by gen.sh.
 */
#define MODINFO(tag, val)                                                            \
	static const char __modinfo_##tag[]                                         \
		__attribute__((section(".modinfo"), used, aligned(1))) = #tag "=" val

MODINFO(license, "GPL");
MODINFO(description, "splicebench test fixture");
MODINFO(depends, "a,b");
MODINFO(name, "x");
MODINFO(vermagic, "6.1.0-test SMP preempt mod_unload modversions ");

int x_init(void);
int x_init(void)
{
	return 0;
}
