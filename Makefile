# oomwitness build. `make` builds build/oomwitness; `make test` runs every test tier.
#
# Layout of the output folder:
#   build/vmlinux.h            BTF of the running kernel, for CO-RE (never committed)
#   build/*.bpf.o, *.skel.h    BPF objects and their bpftool skeletons
#   build/obj/                 the program's objects
#   build/asan/                the same sources built with ASan+UBSan for unit tests
#   build/tests/               unit test binaries and scenario helpers
#   build/fuzz/                libFuzzer targets (make fuzz), artifacts/: inputs that crashed

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
LLVM_STRIP ?= llvm-strip
BUILD     := build
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARNINGS  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ifeq ($(WERROR),1)
WARNINGS  += -Werror
endif
PKGS      := libbpf sqlite3 jansson libmicrohttpd libcap
CPPFLAGS  += -Isrc -Ibpf -I$(BUILD) -D_GNU_SOURCE -DOW_VERSION='"$(VERSION)"'
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARNINGS) $(shell pkg-config --cflags $(PKGS))
LDLIBS    += $(shell pkg-config --libs $(PKGS)) -lelf -lz
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_ARCH  := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(BUILD) -Ibpf -Wall

BPF_PROGS := oomkill sampler oomctl
BPF_OBJS  := $(BPF_PROGS:%=$(BUILD)/%.bpf.o)
SKELETONS := $(BPF_PROGS:%=$(BUILD)/%.skel.h)

# Libraries of code, in the order data flows through them.
LIB_SRCS  := $(wildcard src/capture/*.c src/model/*.c src/store/*.c src/analysis/*.c src/output/*.c)
CMD_SRCS  := $(wildcard src/cmd/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS  := $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
# Unit tests link everything except the libbpf shell (src/capture/bpf_*.c), so they need
# neither root nor a BPF build.
SAN_SRCS  := $(filter-out src/capture/bpf_%.c,$(LIB_SRCS))
SAN_OBJS  := $(SAN_SRCS:%.c=$(BUILD)/asan/%.o)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SCENARIO_BINS := $(BUILD)/tests/memhog $(BUILD)/tests/png_colors
# Benchmark helpers (bench/, docs/performance.md): plain C programs, each bench/NAME.c.
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.SECONDARY:
.PHONY: all clean test unit e2e demo bench fmt check-fmt lint tidy deps record
all: $(BUILD)/oomwitness $(SCENARIO_BINS)

# Missing Debian packages are installed before the first build (root needed only then).
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): scripts/install-deps.sh
	scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

deps:
	scripts/install-deps.sh

# The quick start: build, then record with the defaults until Ctrl-C.
record: all
	$(BUILD)/oomwitness record $(ARGS)

$(BUILD)/vmlinux.h: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@test -r /sys/kernel/btf/vmlinux || { echo "error: /sys/kernel/btf/vmlinux missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF), which CO-RE needs" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/oomwitness.h bpf/core_fixes.bpf.h bpf/task_read.bpf.h $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(LLVM_STRIP) -g $@.tmp && mv $@.tmp $@

$(BUILD)/oomctl.bpf.o: bpf/oomctl_abi.h

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The libbpf shell includes the generated skeletons.
$(filter $(BUILD)/obj/src/capture/bpf_%,$(LIB_OBJS)): $(SKELETONS)

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

# The version is compiled into the commands that print it (--version, build_info): a stamp
# rewritten only when `git describe` changes makes them rebuild after a commit.
VERSION_STAMP := $(BUILD)/version.stamp
$(VERSION_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(BUILD)/obj/src/cmd/main.o $(BUILD)/obj/src/cmd/cmd_record.o: $(VERSION_STAMP)
.PHONY: FORCE

$(BUILD)/oomwitness: $(CMD_OBJS) $(LIB_OBJS)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $< $(SAN_OBJS) $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/memhog: tests/scenario/memhog.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@

# Counts the pixels of given colours in a PNG screenshot (the HTML report's browser test).
$(BUILD)/tests/png_colors: tests/browser/png_colors.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -lpng -o $@

# Tier 1: unit tests, no root needed. Tier 2: end-to-end scenarios with real OOMs, as root.
unit: $(UNIT_BINS)
	tests/run-unit.sh $(UNIT_BINS)

e2e: all
	tests/e2e/run.sh

# Tier 3: end-to-end tests inside Debian's own 6.1 and 6.12 kernels under qemu, as root
# (tests/vm/README.md). VM_ARGS, e.g. VM_ARGS="--kernel 6.12 -v test_global_story".
.PHONY: test-vm
test-vm: all
	OW_BUILD=$(BUILD) tests/vm/run.sh $(VM_ARGS)

test: all $(UNIT_BINS)
	tests/run-all.sh $(UNIT_BINS)

demo: all
	tests/e2e/demo.sh

$(BUILD)/bench/%: bench/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@

# The sampler's floor: a BPF program of its own (bench/floor.bpf.c) and its loader.
$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c bench/floor.h $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(LLVM_STRIP) -g $@.tmp && mv $@.tmp $@

$(BUILD)/bench/floor: bench/floor.c bench/floor.h $(BUILD)/bench/floor.skel.h
	$(CC) $(CPPFLAGS) -Ibench -I$(BUILD)/bench $(CFLAGS) $< $(LDLIBS) -o $@

# Every benchmark, one after the other (about 30 minutes, as root); each prints its table and
# keeps it in bench/results/. docs/performance.md has the figures and what each one measures.
bench: all $(BENCH_BINS)
	OW_BUILD=$(BUILD) bench/sampler.sh
	OW_BUILD=$(BUILD) bench/kill_path.sh
	OW_BUILD=$(BUILD) bench/latency.sh
	OW_BUILD=$(BUILD) bench/workload.sh
	OW_BUILD=$(BUILD) bench/footprint.sh

FMT_SRCS = $(shell git ls-files '*.c' '*.h')
fmt:
	clang-format -i $(FMT_SRCS)

check-fmt: | $(DEPS_STAMP)
	clang-format --dry-run --Werror $(FMT_SRCS)

lint: $(SKELETONS) | $(DEPS_STAMP)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -Isrc -I$(BUILD) -D__x86_64__ \
		--suppress=missingIncludeSystem -ibench/floor.bpf.c src tests/unit tests/scenario \
		tests/browser tests/fuzz bench

# Install: `make` first, as yourself; then `sudo make install`, which never builds (root does
# not rebuild in your tree) and installs the binary of $(BUILD). DESTDIR stages a package:
# `make install DESTDIR=/tmp/root PREFIX=/usr`. The unit's ExecStart is $(SBINDIR) without
# DESTDIR. uninstall removes these four files, never the database.
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
INSTALL     ?= install
.PHONY: install uninstall
install:
	@test -x $(BUILD)/oomwitness || { echo "error: $(BUILD)/oomwitness is not built: run 'make' first (install does not build)" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BUILD)/oomwitness $(DESTDIR)$(SBINDIR)/oomwitness
	$(INSTALL) -m 0644 docs/oomwitness.8 $(DESTDIR)$(MANDIR)/man8/oomwitness.8
	$(INSTALL) -m 0644 packaging/oomwitness.bash-completion $(DESTDIR)$(BASHCOMPDIR)/oomwitness
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/oomwitness.service >$(DESTDIR)$(UNITDIR)/oomwitness.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/oomwitness.service.tmp
	mv $(DESTDIR)$(UNITDIR)/oomwitness.service.tmp $(DESTDIR)$(UNITDIR)/oomwitness.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/oomwitness $(DESTDIR)$(MANDIR)/man8/oomwitness.8 \
		$(DESTDIR)$(BASHCOMPDIR)/oomwitness $(DESTDIR)$(UNITDIR)/oomwitness.service

# Fuzzing (tests/fuzz/, README "Fuzzing"): libFuzzer targets, built with clang. The library
# sources they link are compiled with ASan+UBSan and -fsanitize=fuzzer-no-link (coverage, no
# main) into one archive, so that each target takes only the objects it needs. `make fuzz` runs
# each target for FUZZ_SECONDS on a temporary copy of its corpus (the repository is not
# written) and fails on any crash, leak or timeout, saving the input under $(BUILD)/fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := kmsg procfs memstat container consumer series_codec render store
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all
FUZZ_OBJS    := $(SAN_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_LIB     := $(BUILD)/fuzz/liboomwitness.a
FUZZ_HDRS    := $(wildcard tests/fuzz/*.h)
FUZZ_DEFS    := -DOW_FIXTURES='"$(CURDIR)/tests/fixtures"'
.PHONY: fuzz fuzz-build

$(BUILD)/fuzz/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FUZZ_LIB)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_DEFS) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) \
		$(LDLIBS) -o $@

# Writes the seeds bound to the ring-buffer ABI and the database schema, from the code as it is.
$(BUILD)/fuzz/seeds: tests/fuzz/seeds.c $(FUZZ_HDRS) tests/unit/fixtures.h $(FUZZ_LIB)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_DEFS) $(CFLAGS) $(FUZZ_FLAGS) $< $(FUZZ_LIB) $(LDLIBS) \
		-lcmocka -o $@

fuzz-build: $(FUZZ_BINS) $(BUILD)/fuzz/seeds

fuzz: fuzz-build
	tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

-include $(shell find $(BUILD)/fuzz -name '*.d' 2>/dev/null)

# A small clang-tidy set (.clang-tidy): bug-prone patterns and performance traps, as errors.
tidy: $(SKELETONS) | $(DEPS_STAMP)
	clang-tidy --quiet $(LIB_SRCS) $(CMD_SRCS) -- $(CPPFLAGS) -std=gnu11 \
		$(shell pkg-config --cflags $(PKGS)) 2>/dev/null

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan -name '*.d' 2>/dev/null)
