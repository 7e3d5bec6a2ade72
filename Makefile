# splicebench — one non-recursive GNU Makefile. Every output goes under $(O).
#
#   make                 build $(O)/splicebench (and splicebench-static, the VM agent)
#   make run             install missing packages, build, run the quick matrix
#   make check           install missing packages, build, run every test
#   make deps            install missing Debian packages (root) or print the apt-get line
#   make install         PREFIX=/usr/local DESTDIR=
#   make bench-overhead  splicebench vs a hand-written loop (and fio if installed)
#   make bench-probes    the cost of the copy-accounting probes, off vs on
#   make bench-gate      the gate's false alarms (A/A) and detection power on this machine
#   make fuzz            fuzz the result reader for 5 minutes, keep new corpus inputs
#   make clean
#
# Knobs: O=build  V=1  WERROR=1  CC=  EXTRA_CFLAGS=  EXTRA_LDFLAGS=  RUN_ARGS=

O ?= build
V ?= 0
WERROR ?= 0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/splicebench
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_STRIP ?= llvm-strip
PROVE ?= prove
CPPCHECK ?= cppcheck
VALGRIND ?= valgrind
RUN_ARGS ?=

VERSION := 0.1.0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wpointer-arith -Wcast-align -Wwrite-strings -Wundef -Wvla \
	-Wmissing-field-initializers -Wlogical-op -Wduplicated-cond -Wduplicated-branches \
	-Werror=implicit-function-declaration -Werror=incompatible-pointer-types
# Diagnostics are built with snprintf into fixed buffers; a truncated message is
# acceptable and gcc's guesses about it are noise.
WARN += -Wno-format-truncation
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKGS := jansson libbpf libxxhash
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ifeq ($(strip $(PKG_LIBS)),)
PKG_LIBS := -ljansson -lbpf -lxxhash
endif

CFLAGS ?= -O2 -g
BASE_CPPFLAGS := -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I$(O) -I$(O)/bpf -Isrc -Ibench -Istress \
	-Ibpf -Itests
BASE_CFLAGS := -std=gnu11 -pthread -fno-omit-frame-pointer $(WARN) $(PKG_CFLAGS) -MMD -MP
ALL_CFLAGS := $(BASE_CPPFLAGS) -D_FORTIFY_SOURCE=2 $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS := $(PKG_LIBS) -lelf -llzma -lz -lm -pthread
ALL_LDFLAGS := $(LDFLAGS) $(EXTRA_LDFLAGS)

# Sanitizer tree: same sources, separate objects under $(O)/san.
SAN_CFLAGS := $(BASE_CPPFLAGS) $(BASE_CFLAGS) -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined $(EXTRA_CFLAGS)
SAN_LDFLAGS := -fsanitize=address,undefined $(ALL_LDFLAGS)
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---------------------------------------------------------------- BPF
# vmlinux.h from the build host's kernel BTF (VMLINUX_BTF=... to choose
# another), else the pinned minimal bpf/vmlinux-min.h: CO-RE relocates either
# against the running kernel at load time.
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= $(firstword $(wildcard /sys/kernel/btf/vmlinux /boot/vmlinux-$(shell uname -r)))
CLANG_BPF_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ibpf \
	$(CLANG_BPF_SYS_INCLUDES)
BPF_SKELS := $(O)/bpf/accounting.skel.h

# ---------------------------------------------------------------- sources
LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard bench/*.c) $(wildcard stress/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
SAN_LIB_OBJS := $(LIB_SRCS:%.c=$(O)/san/%.o)
UNIT_SRCS := $(wildcard tests/unit/t_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(O)/%)
SAN_UNIT_BINS := $(UNIT_SRCS:%.c=$(O)/san/%)
TOOL_SRCS := $(filter-out tests/tools/shim_%.c,$(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:%.c=$(O)/%)
SHIM_SRCS := $(wildcard tests/tools/shim_*.c)
SHIM_LIBS := $(SHIM_SRCS:%.c=$(O)/%.so)
CLI_TESTS := $(sort $(wildcard tests/cli/t_*.sh))
INTEG_TESTS := $(sort $(wildcard tests/integration/t_*.sh))
BIN := $(O)/splicebench
# the kernel lab's guest agent: the same program, linked statically (/init of its initramfs)
STATIC_BIN := $(O)/splicebench-static
SAN_BIN := $(O)/san/splicebench

# `make run` and `make check` install dependencies before anything compiles.
ifneq ($(filter run check,$(MAKECMDGOALS)),)
NEED_DEPS := deps
endif

.PHONY: all static deps run check check-unit check-cli check-integration check-san check-leak check-bpf-min \
	check-fuzz fuzz \
	cppcheck install clean bench-overhead bench-probes bench-gate help FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BIN) $(STATIC_BIN) $(UNIT_BINS) $(TOOL_BINS) $(SHIM_LIBS)

deps:
	$(Q)sh scripts/deps.sh

# ---------------------------------------------------------------- build
$(O)/build-info.h: FORCE | $(NEED_DEPS)
	$(Q)mkdir -p $(@D)
	$(Q)commit=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	if [ "$$commit" != unknown ] && ! git diff --quiet HEAD 2>/dev/null; then \
		commit="$$commit-dirty"; fi; \
	ccv=$$($(CC) --version 2>/dev/null | head -n1); \
	{ echo '#define SB_VERSION "$(VERSION)"'; \
	  echo "#define SB_GIT_COMMIT \"$$commit\""; \
	  echo "#define SB_CC_VERSION \"$$ccv\""; \
	  echo '#define SB_BUILD_CFLAGS "$(strip $(CFLAGS) $(EXTRA_CFLAGS))"'; \
	} > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(O)/bpf/vmlinux.h: | $(NEED_DEPS)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)if [ -n "$(VMLINUX_BTF)" ] && \
		$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp 2>/dev/null; then \
		mv $@.tmp $@; \
	else \
		rm -f $@.tmp; echo "  no kernel BTF to generate vmlinux.h: using bpf/vmlinux-min.h"; \
		cp bpf/vmlinux-min.h $@; \
	fi

$(O)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h bpf/core_fixes.bpf.h $(O)/bpf/vmlinux.h | $(NEED_DEPS)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(O)/bpf -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp -o $@ && rm -f $@.tmp

$(O)/bpf/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf >$@.tmp && mv $@.tmp $@

# the pinned fallback header must keep compiling (CI hosts may lack BTF)
$(O)/bpf-min/accounting.bpf.o: bpf/accounting.bpf.c bpf/accounting.h bpf/vmlinux-min.h
	$(call msg,BPF-MIN,$@)
	$(Q)mkdir -p $(@D) && cp bpf/vmlinux-min.h $(@D)/vmlinux.h
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(@D) -c $< -o $@

$(O)/src/acct.o $(O)/san/src/acct.o: $(BPF_SKELS)

$(O)/%.o: %.c $(O)/build-info.h | $(NEED_DEPS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/libsb.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(O)/src/main.o $(O)/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs $(PKGS) 2>/dev/null || echo $(PKG_LIBS))

$(STATIC_BIN): $(O)/src/main.o $(O)/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -static -o $@ $^ $(STATIC_LIBS) -lelf -llzma -lz -lm

static: $(STATIC_BIN)

$(O)/tests/unit/t_%: $(O)/tests/unit/t_%.o $(O)/tests/tap.o $(O)/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/tools/%: $(O)/tests/tools/%.o $(O)/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# LD_PRELOAD shims that make a syscall misbehave, for the integration tests
$(O)/tests/tools/shim_%.so: tests/tools/shim_%.c | $(NEED_DEPS)
	$(call msg,SHLIB,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

# sanitizer tree
$(O)/san/%.o: %.c $(O)/build-info.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -c $< -o $@

$(O)/san/libsb.a: $(SAN_LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(SAN_BIN): $(O)/san/src/main.o $(O)/san/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/san/tests/unit/t_%: $(O)/san/tests/unit/t_%.o $(O)/san/tests/tap.o $(O)/san/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

# fuzz tree: clang with libFuzzer and ASan+UBSan (tests/fuzz; warnings are the gcc build's job)
FUZZ_CC ?= $(CLANG)
FUZZ_CFLAGS := $(BASE_CPPFLAGS) -std=gnu11 -pthread -g -O1 -w $(PKG_CFLAGS) -MMD -MP \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS := $(LIB_SRCS:%.c=$(O)/fuzz/%.o)
FUZZ_BIN := $(O)/fuzz/fuzz_result
FUZZ_TIME ?= 20

$(O)/fuzz/src/acct.o: $(BPF_SKELS)

$(O)/fuzz/%.o: %.c $(O)/build-info.h | $(NEED_DEPS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(O)/fuzz/libsb.a: $(FUZZ_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BIN): $(O)/fuzz/tests/fuzz/fuzz_result.o $(O)/fuzz/libsb.a
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- run
run: $(BIN)
	$(Q)./$(BIN) run --quick --plot $(RUN_ARGS)

# ---------------------------------------------------------------- tests
TEST_ENV = SPLICEBENCH=$(abspath $(1)) SB_TOP=$(CURDIR) SB_BUILD=$(abspath $(O))

check: all check-unit check-cli check-integration check-san check-leak check-fuzz cppcheck \
	check-bpf-min
	@echo "check: all tests passed"

check-unit: $(UNIT_BINS)
	$(Q)$(PROVE) -e '' $(UNIT_BINS)

check-cli: $(BIN)
	$(Q)$(call TEST_ENV,$(BIN)) $(PROVE) -e '' $(CLI_TESTS)

check-integration: $(BIN) $(STATIC_BIN) $(TOOL_BINS) $(SHIM_LIBS)
	$(Q)$(call TEST_ENV,$(BIN)) $(PROVE) -e '' $(INTEG_TESTS)

# ASan+UBSan build of the unit tests and the CLI tests.
check-san: $(SAN_BIN) $(SAN_UNIT_BINS)
	$(Q)$(SAN_ENV) $(PROVE) -e '' $(SAN_UNIT_BINS)
	$(Q)$(SAN_ENV) $(call TEST_ENV,$(SAN_BIN)) $(PROVE) -e '' $(CLI_TESTS)

# Leak check of the test binaries (valgrind, on the normal build).
check-leak: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do \
		$(VALGRIND) -q --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
			$$t > $(O)/valgrind.out 2>&1 || \
			{ cat $(O)/valgrind.out; echo "check-leak: $$t failed under valgrind"; exit 1; }; \
	done; echo "check-leak: $(words $(UNIT_BINS)) test binaries clean under valgrind"

# The result reader under libFuzzer for FUZZ_TIME seconds, starting from the
# committed corpus; new inputs go to a temporary directory (make fuzz keeps them).
check-fuzz: $(FUZZ_BIN)
	$(Q)tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
		-dict=tests/fuzz/result.dict -artifact_prefix=$$tmp/ \
		$$tmp tests/fuzz/corpus > $(O)/fuzz.out 2>&1 || \
	{ tail -n 40 $(O)/fuzz.out; ls -l $$tmp; echo "check-fuzz: a crash or leak (above)"; exit 1; }; \
	echo "check-fuzz: $$(grep -o 'Done [0-9]* runs' $(O)/fuzz.out | tail -n1) in $(FUZZ_TIME) s, no crash"

# Longer fuzzing that adds what it finds to the committed corpus (then merge).
fuzz: $(FUZZ_BIN)
	$(Q)tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(FUZZ_BIN) -max_total_time=300 -timeout=10 -dict=tests/fuzz/result.dict $$tmp tests/fuzz/corpus && \
	$(FUZZ_BIN) -merge=1 tests/fuzz/corpus $$tmp

check-bpf-min: $(O)/bpf-min/accounting.bpf.o
	@echo "check-bpf-min: bpf/accounting.bpf.c compiles against the pinned bpf/vmlinux-min.h"

cppcheck:
	$(Q)$(CPPCHECK) -q --std=c11 --enable=warning,performance,portability \
		--error-exitcode=2 --inline-suppr --suppressions-list=tests/cppcheck.supp \
		-D_GNU_SOURCE -D__linux__ -Isrc -Ibench -Istress -I$(O) \
		'-Djson_array_foreach(a,i,v)=for(i=0;(v=json_array_get(a,i));i++)' \
		'-Djson_object_foreach(o,k,v)=for(k=0;(v=0);)' \
		src bench stress tests/unit tests/tools

# ---------------------------------------------------------------- benchmarks
bench-overhead: $(BIN) $(TOOL_BINS)
	$(Q)sh scripts/deps.sh --optional >/dev/null 2>&1 || true
	$(Q)SPLICEBENCH=$(abspath $(BIN)) SB_BUILD=$(abspath $(O)) sh scripts/bench-overhead.sh

bench-probes: $(BIN)
	$(Q)SPLICEBENCH=$(abspath $(BIN)) sh scripts/bench-probes.sh

bench-gate: $(BIN)
	$(Q)SPLICEBENCH=$(abspath $(BIN)) sh scripts/bench-gate.sh

# ---------------------------------------------------------------- install
install: $(BIN) $(STATIC_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/splicebench
	install -m 0755 $(STATIC_BIN) $(DESTDIR)$(BINDIR)/splicebench-static
	install -m 0644 docs/splicebench.1 $(DESTDIR)$(MANDIR)/man1/splicebench.1
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/

clean:
	rm -rf $(O)

help:
	@sed -n '2,13p' Makefile | sed 's/^# \{0,1\}//'

FORCE:
