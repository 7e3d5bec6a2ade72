// SPDX-License-Identifier: MIT
/*
 * sysinfo: the pure parsers on fixed input, then the real host object and the
 * lockdown reader on this machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "sysinfo.h"
#include "sysinfo_parse.h"
#include "tap.h"

/* A test input made printable for a one-line TAP description. */
static const char *esc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!s)
		return "(null)";
	for (; *s && o + 3 < len; s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------ release */

static const struct {
	const char *rel;
	int ret;
	unsigned int ma, mi, pa;
} releases[] = {
	{"6.1.72-1-cloud-amd64", 0, 6, 1, 72},
	{"6.18.44-fc-v595", 0, 6, 18, 44},
	{"6.5.0", 0, 6, 5, 0},
	{"6.5", 0, 6, 5, 0},
	{"6.5-rc3", 0, 6, 5, 0},
	{"5.10.0-28-amd64", 0, 5, 10, 0},
	{"4.18.0-513.5.1.el8_9.x86_64", 0, 4, 18, 0},
	{"6.9.0+", 0, 6, 9, 0},
	{"6.10.0-rc1-next-20240520", 0, 6, 10, 0},
	{"", -EINVAL, 0, 0, 0},
	{"abc", -EINVAL, 0, 0, 0},
	{"6", -EINVAL, 0, 0, 0},
	{"6.", -EINVAL, 0, 0, 0},
	{"6.x", -EINVAL, 0, 0, 0},
	{".5.1", -EINVAL, 0, 0, 0},
	{"6.5.", -EINVAL, 0, 0, 0},
	{"-6.5.1", -EINVAL, 0, 0, 0},
	{" 6.5.1", -EINVAL, 0, 0, 0},
	{"+6.5.1", -EINVAL, 0, 0, 0},
	{"99999999999.1.1", -EINVAL, 0, 0, 0},
};

static void test_release(void)
{
	unsigned int ma, mi, pa;

	for (size_t i = 0; i < SB_ARRAY_SIZE(releases); i++) {
		int ret;

		ma = mi = pa = 12345;
		ret = sb_parse_kernel_release(releases[i].rel, &ma, &mi, &pa);
		is_int(ret, releases[i].ret, "release '%s' -> %d", releases[i].rel,
		       releases[i].ret);
		if (releases[i].ret == 0)
			ok(ma == releases[i].ma && mi == releases[i].mi && pa == releases[i].pa,
			   "release '%s' -> %u.%u.%u (got %u.%u.%u)", releases[i].rel,
			   releases[i].ma, releases[i].mi, releases[i].pa, ma, mi, pa);
		else
			ok(ma == 12345 && mi == 12345 && pa == 12345,
			   "release '%s': outputs untouched on error", releases[i].rel);
	}
	is_int(sb_parse_kernel_release(NULL, &ma, &mi, &pa), -EINVAL, "NULL release");
	is_int(sb_parse_kernel_release("6.1.2", NULL, &mi, &pa), -EINVAL, "NULL major");
	is_int(sb_parse_kernel_release("6.1.2", &ma, NULL, &pa), -EINVAL, "NULL minor");
	is_int(sb_parse_kernel_release("6.1.2", &ma, &mi, NULL), -EINVAL, "NULL patch");
}

static void test_kernel_version(void)
{
	unsigned int ma, mi, pa, wma, wmi, wpa;
	struct utsname u;

	if (uname(&u) || sb_parse_kernel_release(u.release, &wma, &wmi, &wpa)) {
		tap_skip(2, "uname release '%s' is not parseable", u.release);
		return;
	}
	is_int(sb_kernel_version(&ma, &mi, &pa), 0, "sb_kernel_version() works");
	ok(ma == wma && mi == wmi && pa == wpa, "sb_kernel_version() = %u.%u.%u from '%s'", ma, mi,
	   pa, u.release);
}

/* ------------------------------------------------------------ parsers */

static const struct {
	const char *in;
	int ret;
	const char *out;
} brackets[] = {
	{"always [madvise] never", 0, "madvise"},
	{"always defer defer+madvise [madvise] never\n", 0, "madvise"},
	{"[always] madvise never", 0, "always"},
	{"always madvise [never]", 0, "never"},
	{"none [integrity] confidentiality\n", 0, "integrity"},
	{"[none] integrity confidentiality", 0, "none"},
	{"none integrity [confidentiality]", 0, "confidentiality"},
	{"a [] [b] c", 0, "b"},
	{"always madvise never", -EINVAL, ""},
	{"always [madvise never", -EINVAL, ""},
	{"always madvise] never", -EINVAL, ""},
	{"[]", -EINVAL, ""},
	{"", -EINVAL, ""},
};

static void test_bracketed(void)
{
	char out[32], e[128];

	for (size_t i = 0; i < SB_ARRAY_SIZE(brackets); i++) {
		const char *in = esc(brackets[i].in, e, sizeof(e));
		int ret;

		strcpy(out, "junk");
		ret = sb_parse_bracketed(brackets[i].in, out, sizeof(out));
		is_int(ret, brackets[i].ret, "bracketed '%s' -> %d", in, brackets[i].ret);
		is_str(out, brackets[i].out, "bracketed '%s' -> '%s'", in, brackets[i].out);
	}
	is_int(sb_parse_bracketed("a [madvise] b", out, 7), -ERANGE,
	       "bracketed: 7 bytes too small");
	is_str(out, "", "bracketed: out emptied on -ERANGE");
	is_int(sb_parse_bracketed("a [madvise] b", out, 8), 0, "bracketed: 8 bytes enough");
	is_int(sb_parse_bracketed(NULL, out, sizeof(out)), -EINVAL, "bracketed: NULL input");
}

static const struct {
	const char *in;
	int ret;
	unsigned int count;
} cpulists[] = {
	{"0", 0, 1},	       {"0-1", 0, 2},
	{"0-1\n", 0, 2},       {"0-3,5,7-8", 0, 7},
	{"0-3,5,7-8\n", 0, 7}, {"2", 0, 1},
	{"0-511", 0, 512},     {"0,2,4,6", 0, 4},
	{"3-3", 0, 1},	       {"", -EINVAL, 0},
	{"\n", -EINVAL, 0},    {"a", -EINVAL, 0},
	{"1-0", -EINVAL, 0},   {"0-", -EINVAL, 0},
	{"-1", -EINVAL, 0},    {"0,", -EINVAL, 0},
	{",0", -EINVAL, 0},    {"0-1-2", -EINVAL, 0},
	{"0 1", -EINVAL, 0},   {"0-4294967295", -EINVAL, 0},
};

static void test_cpu_list(void)
{
	char e[64];

	for (size_t i = 0; i < SB_ARRAY_SIZE(cpulists); i++) {
		const char *in = esc(cpulists[i].in, e, sizeof(e));
		unsigned int n = 777;
		int ret = sb_parse_cpu_list_count(cpulists[i].in, &n);

		is_int(ret, cpulists[i].ret, "cpu list '%s' -> %d", in, cpulists[i].ret);
		if (cpulists[i].ret == 0)
			is_int(n, cpulists[i].count, "cpu list '%s' -> %u CPUs", in,
			       cpulists[i].count);
	}
}

static const char x86_cpuinfo[] = "processor\t: 0\n"
				  "vendor_id\t: GenuineIntel\n"
				  "cpu family\t: 6\n"
				  "model\t\t: 85\n"
				  "model name\t: Intel(R) Xeon(R) Processor @ 2.50GHz  \n"
				  "cpu MHz\t\t: 2500.000\n"
				  "flags\t\t: fpu vme de hypervisor_x lahf_lm hypervisor avx\n"
				  "\n"
				  "processor\t: 1\n"
				  "model name\t: Other CPU\n"
				  "flags\t\t: fpu\n";

static const char arm64_cpuinfo[] = "processor\t: 0\n"
				    "BogoMIPS\t: 50.00\n"
				    "Features\t: fp asimd evtstrm\n"
				    "CPU implementer\t: 0x41\n"
				    "CPU architecture: 8\n"
				    "CPU variant\t: 0x3\n"
				    "CPU part\t: 0xd0c\n"
				    "CPU revision\t: 1\n";

static const char ppc_cpuinfo[] = "processor\t: 0\n"
				  "cpu\t\t: POWER9 (architected), altivec supported\n"
				  "clock\t\t: 2200.000000MHz\n";

static void test_cpuinfo(void)
{
	char out[128];

	is_int(sb_cpuinfo_value(x86_cpuinfo, "model name", out, sizeof(out)), 0,
	       "cpuinfo: x86 model name found");
	is_str(out, "Intel(R) Xeon(R) Processor @ 2.50GHz", "cpuinfo: first model name, trimmed");
	is_int(sb_cpuinfo_value(x86_cpuinfo, "cpu", out, sizeof(out)), -ENOENT,
	       "cpuinfo: 'cpu' does not match 'cpu family'/'cpu MHz'");
	is_int(sb_cpuinfo_value(x86_cpuinfo, "model", out, sizeof(out)), 0,
	       "cpuinfo: 'model' matches exactly");
	is_str(out, "85", "cpuinfo: 'model' is 85, not the model name");
	is_int(sb_cpuinfo_value(x86_cpuinfo, "model name", out, 10), -ERANGE,
	       "cpuinfo: small buffer is -ERANGE");
	is_int(sb_cpuinfo_value(arm64_cpuinfo, "model name", out, sizeof(out)), -ENOENT,
	       "cpuinfo: arm64 has no model name");
	is_int(sb_cpuinfo_value(arm64_cpuinfo, "CPU part", out, sizeof(out)), 0,
	       "cpuinfo: arm64 CPU part found");
	is_str(out, "0xd0c", "cpuinfo: arm64 CPU part value");
	is_int(sb_cpuinfo_value(ppc_cpuinfo, "cpu", out, sizeof(out)), 0, "cpuinfo: ppc cpu found");
	is_str(out, "POWER9 (architected), altivec supported", "cpuinfo: ppc cpu value");
	is_int(sb_cpuinfo_value("", "cpu", out, sizeof(out)), -ENOENT, "cpuinfo: empty text");

	is_int(sb_cpuinfo_has_flag(x86_cpuinfo, "hypervisor"), 1, "flags: hypervisor present");
	is_int(sb_cpuinfo_has_flag(x86_cpuinfo, "avx"), 1, "flags: last word found");
	is_int(sb_cpuinfo_has_flag(x86_cpuinfo, "fpu"), 1, "flags: first word found");
	is_int(sb_cpuinfo_has_flag(x86_cpuinfo, "hyper"), 0, "flags: prefix is not a match");
	is_int(sb_cpuinfo_has_flag(x86_cpuinfo, "sse"), 0, "flags: absent word");
	is_int(sb_cpuinfo_has_flag("flags\t\t: fpu vme\nprocessor: 1\nflags: hypervisor\n",
				   "hypervisor"),
	       0, "flags: only the first flags line counts");
	is_int(sb_cpuinfo_has_flag(arm64_cpuinfo, "hypervisor"), -ENOENT,
	       "flags: no flags line is -ENOENT, not 'false'");
}

static void test_meminfo(void)
{
	static const char mi[] = "MemTotal:        8123456 kB\n"
				 "MemFree:          123 kB\n"
				 "HugePages_Total:       0\n";
	uint64_t kb = 0;

	is_int(sb_parse_meminfo_kb(mi, "MemTotal", &kb), 0, "meminfo: MemTotal parsed");
	is_u64(kb, 8123456, "meminfo: MemTotal value");
	is_int(sb_parse_meminfo_kb(mi, "MemFree", &kb), 0, "meminfo: MemFree parsed");
	is_u64(kb, 123, "meminfo: MemFree value");
	is_int(sb_parse_meminfo_kb(mi, "HugePages_Total", &kb), 0, "meminfo: unitless parsed");
	is_int(sb_parse_meminfo_kb(mi, "Mem", &kb), -ENOENT, "meminfo: no prefix match");
	is_int(sb_parse_meminfo_kb("MemTotal: x kB\n", "MemTotal", &kb), -EINVAL,
	       "meminfo: garbage value");
	is_int(sb_parse_meminfo_kb("MemTotal: 12 MB\n", "MemTotal", &kb), -EINVAL,
	       "meminfo: unknown unit");
	is_int(sb_parse_meminfo_kb("MemTotal: 99999999999999999999999 kB\n", "MemTotal", &kb),
	       -EINVAL, "meminfo: overflow");
}

static void test_summarize(void)
{
	static const char *const same[] = {"performance", "performance", "performance"};
	static const char *const mixed[] = {"schedutil", "performance", "schedutil", "performance",
					    "powersave"};
	static const char *const one[] = {"ondemand"};
	char out[64];

	is_int(sb_summarize_values(same, SB_ARRAY_SIZE(same), out, sizeof(out)), 0,
	       "summarize: all equal");
	is_str(out, "performance", "summarize: all equal -> the value");
	is_int(sb_summarize_values(one, 1, out, sizeof(out)), 0, "summarize: one value");
	is_str(out, "ondemand", "summarize: one value -> itself");
	is_int(sb_summarize_values(mixed, SB_ARRAY_SIZE(mixed), out, sizeof(out)), 0,
	       "summarize: differing values");
	is_str(out, "mixed: performance,powersave,schedutil", "summarize: mixed, distinct, sorted");
	is_int(sb_summarize_values(mixed, SB_ARRAY_SIZE(mixed), out, 20), -ERANGE,
	       "summarize: small buffer is -ERANGE");
	is_str(out, "", "summarize: out emptied on -ERANGE");
	is_int(sb_summarize_values(mixed, 0, out, sizeof(out)), -EINVAL, "summarize: no values");
}

/* ------------------------------------------------------------ host object */

/* Whole trimmed content of a small file, or NULL. */
static char *slurp(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return strdup(buf);
}

/*
 * The null/reason rule, for every key of @obj: a null value has a non-empty
 * "<key>_reason" string, and a "<key>_reason" belongs to a null <key>.
 * Returns the number of violations (each reported as a diagnostic).
 */
static int reason_violations(json_t *obj, const char *where)
{
	const char *key;
	json_t *val;
	int bad = 0;

	json_object_foreach(obj, key, val)
	{
		size_t len = strlen(key);
		char rkey[256];

		if (len > 7 && strcmp(key + len - 7, "_reason") == 0) {
			char base[256];
			json_t *b;

			snprintf(base, sizeof(base), "%.*s", (int)(len - 7), key);
			b = json_object_get(obj, base);
			if (!json_is_string(val) || !b || !json_is_null(b)) {
				tap_diag("%s.%s: reason without a null '%s'", where, key, base);
				bad++;
			}
			continue;
		}
		if (json_is_null(val)) {
			json_t *r;

			snprintf(rkey, sizeof(rkey), "%s_reason", key);
			r = json_object_get(obj, rkey);
			if (!json_is_string(r) || !json_string_value(r)[0]) {
				tap_diag("%s.%s: null without a reason", where, key);
				bad++;
			} else {
				tap_diag("%s.%s: null: %s", where, key, json_string_value(r));
			}
		}
	}
	return bad;
}

struct key_spec {
	const char *key;
	json_type type; /* when not null */
};

static const struct key_spec host_keys[] = {
	{"hostname", JSON_STRING},	   {"kernel", JSON_OBJECT},
	{"cmdline", JSON_STRING},	   {"cpu", JSON_OBJECT},
	{"memory_bytes", JSON_INTEGER},	   {"mitigations", JSON_OBJECT},
	{"cpufreq_governor", JSON_STRING}, {"thp", JSON_OBJECT},
	{"pipe_max_size", JSON_INTEGER},   {"perf_event_paranoid", JSON_INTEGER},
	{"lockdown", JSON_STRING},	   {"boot_id", JSON_STRING},
	{"clocksource", JSON_STRING},
};

static const struct key_spec kernel_keys[] = {
	{"release", JSON_STRING},
	{"version", JSON_STRING},
	{"machine", JSON_STRING},
};

static const struct key_spec cpu_keys[] = {
	{"model", JSON_STRING},
	{"online", JSON_INTEGER},
	{"possible", JSON_INTEGER},
	{"hypervisor", JSON_TRUE}, /* JSON_TRUE stands for "boolean" here */
};

static const struct key_spec thp_keys[] = {
	{"enabled", JSON_STRING},
	{"defrag", JSON_STRING},
};

/* Every expected key present, of its type or null with a reason. */
static void check_keys(json_t *obj, const struct key_spec *spec, size_t n, const char *where)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, spec[i].key);
		char rkey[128];
		bool good;

		snprintf(rkey, sizeof(rkey), "%s_reason", spec[i].key);
		if (!v) {
			ok(0, "%s.%s present", where, spec[i].key);
			continue;
		}
		if (json_is_null(v))
			good = json_is_string(json_object_get(obj, rkey));
		else if (spec[i].type == JSON_TRUE)
			good = json_is_boolean(v);
		else
			good = json_typeof(v) == spec[i].type;
		ok(good, "%s.%s present: %s", where, spec[i].key,
		   json_is_null(v) ? "null with a reason" : "value of the right type");
	}
}

static void test_host(void)
{
	json_t *host, *kernel, *cpu, *thp, *mit, *again, *v;
	char *dump, *text;
	struct utsname u;
	const char *prev = NULL, *key;
	bool sorted = true;

	host = sb_sysinfo_host();
	ok(json_is_object(host), "sb_sysinfo_host() returns an object");
	if (!json_is_object(host)) {
		json_decref(host);
		return;
	}

	check_keys(host, host_keys, SB_ARRAY_SIZE(host_keys), "host");
	kernel = json_object_get(host, "kernel");
	cpu = json_object_get(host, "cpu");
	thp = json_object_get(host, "thp");
	mit = json_object_get(host, "mitigations");
	check_keys(kernel, kernel_keys, SB_ARRAY_SIZE(kernel_keys), "kernel");
	check_keys(cpu, cpu_keys, SB_ARRAY_SIZE(cpu_keys), "cpu");
	check_keys(thp, thp_keys, SB_ARRAY_SIZE(thp_keys), "thp");

	is_int(reason_violations(host, "host"), 0, "host: null <=> <key>_reason");
	is_int(reason_violations(kernel, "kernel"), 0, "kernel: null <=> <key>_reason");
	is_int(reason_violations(cpu, "cpu"), 0, "cpu: null <=> <key>_reason");
	is_int(reason_violations(thp, "thp"), 0, "thp: null <=> <key>_reason");
	if (json_is_object(mit)) {
		is_int(reason_violations(mit, "mitigations"), 0,
		       "mitigations: null <=> <key>_reason");
		json_object_foreach(mit, key, v)
		{
			if (strstr(key, "_reason"))
				continue;
			if (prev && strcmp(prev, key) >= 0)
				sorted = false;
			prev = key;
		}
		ok(sorted, "mitigations: keys in sorted order");
		ok(json_object_size(mit) > 0, "mitigations: directory has entries");
	} else {
		tap_skip(3, "no vulnerabilities directory: %s",
			 json_string_value(json_object_get(host, "mitigations_reason")));
	}

	uname(&u);
	is_str(json_string_value(json_object_get(kernel, "release")), u.release,
	       "kernel.release equals uname");
	is_str(json_string_value(json_object_get(kernel, "machine")), u.machine,
	       "kernel.machine equals uname");
	is_str(json_string_value(json_object_get(host, "hostname")), u.nodename,
	       "hostname equals uname nodename");
	is_int(json_integer_value(json_object_get(cpu, "online")), sysconf(_SC_NPROCESSORS_ONLN),
	       "cpu.online equals sysconf");
	v = json_object_get(cpu, "possible");
	ok(!json_is_integer(v) ||
		   json_integer_value(v) >= json_integer_value(json_object_get(cpu, "online")),
	   "cpu.possible >= cpu.online");
	v = json_object_get(host, "memory_bytes");
	ok(!json_is_integer(v) || (json_integer_value(v) > 0 && json_integer_value(v) % 1024 == 0),
	   "memory_bytes is a positive multiple of 1024");

	text = slurp("/proc/sys/kernel/random/boot_id");
	if (text)
		is_str(json_string_value(json_object_get(host, "boot_id")), text,
		       "boot_id equals the file");
	else
		tap_skip(1, "no boot_id file");
	free(text);

	if (access("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", F_OK) &&
	    errno == ENOENT && json_is_null(json_object_get(host, "cpufreq_governor"))) {
		const char *r = json_string_value(json_object_get(host, "cpufreq_governor_reason"));

		ok(r && strncmp(r, "no cpufreq driver: ", 19) == 0,
		   "no cpufreq: reason says so ('%s')", r ? r : "(null)");
	} else {
		v = json_object_get(host, "cpufreq_governor");
		ok(json_is_string(v) && json_string_length(v) > 0,
		   "cpufreq_governor is a non-empty string");
	}

	v = json_object_get(thp, "enabled");
	ok(json_is_null(v) || (json_is_string(v) && !strpbrk(json_string_value(v), "[] ")),
	   "thp.enabled is a bare word");

	dump = json_dumps(host, JSON_COMPACT);
	ok(dump != NULL, "json_dumps works");
	again = dump ? json_loads(dump, 0, NULL) : NULL;
	ok(again && json_equal(host, again), "json_dumps round-trips");
	if (dump)
		tap_diag("host: %s", dump);
	free(dump);
	json_decref(again);
	json_decref(host);
}

/* ------------------------------------------------------------ lockdown */

static int count_securityfs_mounts(void)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " - securityfs "))
			n++;
	fclose(f);
	return n;
}

/* CAP_SYS_ADMIN in the effective set (root in a container may lack it). */
static bool have_cap_sys_admin(void)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	return found && (eff >> 21) & 1; /* CAP_SYS_ADMIN */
}

static bool valid_mode(const char *m)
{
	return !strcmp(m, "none") || !strcmp(m, "integrity") || !strcmp(m, "confidentiality");
}

/* In a child with euid 65534: the non-root answer when securityfs is absent. */
static void test_lockdown_nonroot_child(void)
{
	char mode[32], why[256];
	pid_t pid;
	int status, rc;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		ok(0, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (seteuid(65534))
			_exit(10);
		rc = sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why));
		if (rc != -EPERM)
			_exit(11);
		if (strcmp(why, "securityfs not mounted and mounting it needs root"))
			_exit(12);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		ok(0, "waitpid: %s", strerror(errno));
		return;
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "non-root without securityfs: -EPERM and 'needs root' reason (child status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_lockdown(void)
{
	char mode[32], why[256];
	int before, after, rc;
	json_t *host;

	is_int(sb_sysinfo_lockdown(NULL, 0, why, sizeof(why)), -EINVAL, "lockdown: NULL mode");
	ok(why[0] != '\0', "lockdown: NULL mode has a reason");

	before = count_securityfs_mounts();
	ok(before >= 0, "read /proc/self/mountinfo (%d securityfs mounts)", before);

	if (geteuid() != 0) {
		rc = sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why));
		if (before == 0) {
			is_int(rc, -EPERM, "non-root, securityfs not mounted: -EPERM");
			is_str(why, "securityfs not mounted and mounting it needs root",
			       "non-root: reason says mounting needs root");
		} else {
			ok(rc == 0 || rc == -ENOENT, "non-root, securityfs mounted: %d (%s%s)", rc,
			   mode, why);
			ok(rc != 0 || valid_mode(mode), "non-root: mode '%s' is valid", mode);
		}
		tap_skip(6, "not root: cannot mount securityfs in a private namespace");
		return;
	}
	if (before == 0 && !have_cap_sys_admin()) {
		rc = sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why));
		ok(rc < 0 && why[0], "root without CAP_SYS_ADMIN: error with a reason (%s)", why);
		tap_skip(7, "root without CAP_SYS_ADMIN: cannot mount securityfs privately");
		return;
	}

	memset(why, 'x', sizeof(why));
	rc = sb_sysinfo_lockdown(mode, sizeof(mode), why, sizeof(why));
	is_int(rc, 0, "lockdown as root returns 0 (%s)", rc ? why : mode);
	ok(rc == 0 && valid_mode(mode), "lockdown mode '%s' is none/integrity/confidentiality",
	   mode);
	is_str(why, "", "lockdown: empty reason on success");
	tap_diag("lockdown: %s", rc ? why : mode);

	after = count_securityfs_mounts();
	if (before == 0)
		is_int(after, 0, "no securityfs mount left behind in this namespace");
	else
		is_int(after, before, "securityfs mount count unchanged");

	host = sb_sysinfo_host();
	is_str(json_string_value(json_object_get(host, "lockdown")), rc ? NULL : mode,
	       "host.lockdown agrees with sb_sysinfo_lockdown()");
	json_decref(host);
	is_int(count_securityfs_mounts(), before, "still no new securityfs mount after host()");

	rc = sb_sysinfo_lockdown(mode, 2, why, sizeof(why));
	ok(rc == -ERANGE && why[0], "lockdown: 2-byte buffer is -ERANGE with a reason (%d, %s)", rc,
	   why);

	if (before == 0)
		test_lockdown_nonroot_child();
	else
		tap_skip(1, "securityfs is mounted: the non-root path is not the 'needs root' one");
}

int main(void)
{
	test_release();
	test_kernel_version();
	test_bracketed();
	test_cpu_list();
	test_cpuinfo();
	test_meminfo();
	test_summarize();
	test_host();
	test_lockdown();
	return tap_done();
}
