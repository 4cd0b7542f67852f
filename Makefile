# clamgate - a ClamAV milter that never sends backscatter.
#
# make            build build/clamgate
# make check      install missing packages, build, run every test
# make test       build and run every test (packages already there)
# make check-asan the same, built with -fsanitize=address,undefined
# make check-full make check with the whole detection matrix
# make check-clang build everything with clang too (-Wcomma), unit tests
# make check-tsan protocol, clamd and end-to-end suites under ThreadSanitizer
# make fuzz       every libFuzzer target for FUZZ_SECONDS (120) each: 14 min
#                 and about 100 million executions (docs/design.md)
# make install    PREFIX=/usr/local DESTDIR=
# make bench      the benchmark report (make bench-quick: a short one)
# make run        install missing packages, build, run in the foreground
# make demo       clamgate and a private Postfix on 127.0.0.1:2525
# make demo-stop  stop them

VERSION   = 0.4.0
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DATADIR  ?= $(PREFIX)/share
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
BUILD    ?= build

# What each program links: the code both use needs gmime (and GLib),
# libconfig and SQLite (the verified-sender store); only the daemon needs
# the scanning engine, libmilter, zlib, libpsl (organisational domains
# for Authentication-Results) and libmicrohttpd (the metrics endpoint).  Common code is compiled without the
# daemon's flags.
COMMON_PKGS = gmime-3.0 libconfig sqlite3 libpq
DAEMON_PKGS = libclamav milter zlib libpsl libmicrohttpd
COMMON_CFLAGS := $(shell pkg-config --cflags $(COMMON_PKGS) 2>/dev/null)
COMMON_LIBS   := $(shell pkg-config --libs $(COMMON_PKGS) 2>/dev/null)
DAEMON_CFLAGS := $(shell pkg-config --cflags $(DAEMON_PKGS) 2>/dev/null)
DAEMON_LIBS   := $(shell pkg-config --libs $(DAEMON_PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN      = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith
# clang: no comma-operator tricks either (make CC=clang WERROR=1)
ifneq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
WARN     += -Wcomma
endif
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2
CPPFLAGS += -D_GNU_SOURCE -DCLAMGATE_VERSION='"$(VERSION)"' \
            -DCLAMGATE_CONF='"$(SYSCONFDIR)/clamgate/clamgate.conf"' \
            -Iinclude $(COMMON_CFLAGS)
LDLIBS   += -lpthread
ifdef WERROR
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=address,undefined
endif
# the ThreadSanitizer build (make check-tsan): clang
ifdef TSAN
CFLAGS   += -fsanitize=thread -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=thread
endif
# the libFuzzer build (make fuzz): clang, with SANITIZE
ifdef FUZZ
CFLAGS   += -fsanitize=fuzzer-no-link
endif

# src/common: both programs; src/daemon: clamgate; src/cli:
# clamgate-quarantine (docs/design.md, "Modules").  The unit tests link
# both archives.
COMMON_SRCS = $(wildcard src/common/*.c)
DAEMON_SRCS = $(filter-out src/daemon/main.c,$(wildcard src/daemon/*.c))
CLI_SRCS    = $(wildcard src/cli/*.c)
COMMON_OBJS = $(COMMON_SRCS:src/%.c=$(BUILD)/%.o)
DAEMON_OBJS = $(DAEMON_SRCS:src/%.c=$(BUILD)/%.o)
CLI_OBJS    = $(CLI_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%.o)
HEADERS   = $(wildcard include/clamgate/*.h src/common/*.h)

all: $(BUILD)/clamgate $(BUILD)/clamgate-quarantine

$(BUILD)/clamgate-quarantine: $(CLI_OBJS) $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(COMMON_LIBS) $(LDLIBS)

$(BUILD)/clamgate: $(BUILD)/daemon/main.o $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(COMMON_LIBS) $(LDLIBS)

$(BUILD)/libcommon.a: $(COMMON_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/libdaemon.a: $(DAEMON_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/common/%.o: src/common/%.c $(HEADERS) | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/cli/%.o: src/cli/%.c $(HEADERS) | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/daemon/%.o: src/daemon/%.c $(HEADERS) | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/unit/%.o: tests/unit/%.c $(HEADERS) $(wildcard tests/unit/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/unit
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -DTOP='"$(CURDIR)"' -Itests/unit -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJS) $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(DAEMON_LIBS) $(COMMON_LIBS) $(LDLIBS)

$(BUILD):
	@mkdir -p $(BUILD)

# check installs missing packages first, then builds in a new make (the
# pkg-config flags above are read when make starts)
check: deps
	$(MAKE) test

$(BUILD)/fakeclamd: tests/clamd/fakeclamd.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $<

test: all $(BUILD)/unit-tests $(BUILD)/fakeclamd $(BUILD)/bench/loadgen \
      $(BUILD)/bench/mkcorpus $(BUILD)/mkstore fuzz-build
	BUILD=$(BUILD) DETECT=$(DETECT) sh tests/run-all.sh

# libFuzzer targets (tests/fuzz), one per parser of untrusted or on-disk
# input, built with clang, ASan and UBSan in build-fuzz.  make check runs
# each on its seed corpus and a few thousand mutations (tests/fuzz/run.sh
# smoke); make fuzz runs each for FUZZ_SECONDS.
FUZZ_NAMES   = clamd_reply reply header_text cidr_glob token quarantine_read \
               config smtp authres autoclass mimeview
FUZZ_SECONDS ?= 120
FUZZ_BINS    = $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
                      $(BUILD)/cli/cli_text.o $(BUILD)/libdaemon.a \
                      $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ \
	    $< $(BUILD)/cli/cli_text.o $(BUILD)/libdaemon.a \
	    $(BUILD)/libcommon.a $(DAEMON_LIBS) $(COMMON_LIBS) $(LDLIBS)

fuzz-progs: $(FUZZ_BINS)

fuzz-build:
	$(MAKE) CC=clang BUILD=build-fuzz SANITIZE=1 FUZZ=1 WERROR=$(WERROR) \
	    fuzz-progs

fuzz: fuzz-build
	sh tests/fuzz/run.sh build-fuzz full $(FUZZ_SECONDS)

# everything built with clang as well, warnings as errors (-Wcomma
# included), and the unit tests run
check-clang:
	$(MAKE) CC=clang BUILD=build-clang WERROR=1 all bench-progs \
	    build-clang/unit-tests build-clang/fakeclamd
	build-clang/unit-tests

# the whole detection matrix (every sample, wrapping, header form and
# backend) instead of make check's slice of it: about 2 more minutes
check-full: deps
	$(MAKE) test DETECT=full

# ThreadSanitizer (clang) on the suites with threads at work: the milter
# protocol, the clamd backend, and end to end through Postfix.  A finding
# in a daemon's log fails its suite (tests/lib.sh); tests/tsan.supp says
# why each suppression is there.  GLib's slice allocator hands memory
# between threads through its own magazines, which TSan cannot see in an
# uninstrumented GLib: G_SLICE=always-malloc.
check-tsan: deps
	$(MAKE) CC=clang BUILD=build-tsan TSAN=1 all build-tsan/fakeclamd \
	    build-tsan/unit-tests
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp" \
	    G_SLICE=always-malloc sh tests/run-tsan.sh build-tsan

# any finding stops the program, so the test that ran it fails
check-asan:
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(MAKE) BUILD=build-asan SANITIZE=1 check

deps:
	sh tests/install-deps.sh

run: deps
	$(MAKE) all
	sh tests/run-dev.sh $(BUILD)

demo: deps
	$(MAKE) all
	sh tests/demo.sh start $(BUILD)

demo-stop:
	sh tests/demo.sh stop $(BUILD)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSCONFDIR)/clamgate \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/clamgate
	install -m 0755 $(BUILD)/clamgate $(DESTDIR)$(SBINDIR)/clamgate
	install -m 0755 $(BUILD)/clamgate-quarantine \
	    $(DESTDIR)$(SBINDIR)/clamgate-quarantine
	install -m 0644 docs/clamgate-quarantine.8 \
	    $(DESTDIR)$(MANDIR)/man8/clamgate-quarantine.8
	sed -e 's|/usr/sbin/clamgate|$(SBINDIR)/clamgate|' \
	    -e 's|/etc/clamgate/|$(SYSCONFDIR)/clamgate/|' etc/clamgate.service \
	    > $(DESTDIR)$(UNITDIR)/clamgate.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/clamgate.service
	install -m 0644 docs/clamgate.8 $(DESTDIR)$(MANDIR)/man8/clamgate.8
	install -m 0644 docs/clamgate.conf.5 $(DESTDIR)$(MANDIR)/man5/clamgate.conf.5
	install -m 0644 etc/clamgate-alerts.yml \
	    $(DESTDIR)$(DATADIR)/clamgate/clamgate-alerts.yml
	for f in outbound-markers outbound-subjects; do \
	    if [ -e $(DESTDIR)$(SYSCONFDIR)/clamgate/$$f ]; then \
	        echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/clamgate/$$f"; \
	    else \
	        install -m 0644 etc/$$f $(DESTDIR)$(SYSCONFDIR)/clamgate/$$f; \
	    fi; \
	done
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf ]; then \
	    echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf"; \
	else \
	    install -m 0644 etc/clamgate.conf $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf; \
	fi

format-check:
	clang-format --dry-run --Werror src/*/*.c src/*/*.h include/clamgate/*.h \
	    tests/unit/*.c tests/unit/*.h tests/bench/*.c tests/bench/*.h \
	    tests/clamd/*.c tests/fuzz/*.c tests/fuzz/*.h

clean:
	rm -rf build build-asan build-clang build-fuzz build-tsan

.PHONY: all check check-full check-clang test check-asan check-tsan deps run demo demo-stop install format-check clean fuzz fuzz-build fuzz-progs

# Benchmarks: timing goals live here, as ratios against a baseline
# measured in the same run, never in the tests.
$(BUILD)/mkstore: tests/bench/mkstore.c $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $^ $(DAEMON_LIBS) $(COMMON_LIBS) $(LDLIBS)

BENCH_H = $(wildcard tests/bench/*.h)
BENCH_PROGS = $(BUILD)/mkstore $(BUILD)/bench/loadgen $(BUILD)/bench/mkcorpus \
              $(BUILD)/bench/mksigs $(BUILD)/bench/barescan \
              $(BUILD)/bench/viewcost $(BUILD)/bench/vstorebench \
              $(BUILD)/bench/qstorebench

$(BUILD)/bench/loadgen: tests/bench/loadgen.c tests/bench/mclient.c \
                        tests/bench/stats.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) -lpthread

$(BUILD)/bench/barescan: tests/bench/barescan.c tests/bench/stats.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	    $(shell pkg-config --libs libclamav 2>/dev/null) -lpthread

$(BUILD)/bench/qstorebench: tests/bench/qstorebench.c tests/bench/stats.c \
                            $(BENCH_H) $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $(filter-out %.h,$^) \
	    $(DAEMON_LIBS) $(COMMON_LIBS) $(LDLIBS)

$(BUILD)/bench/vstorebench: tests/bench/vstorebench.c $(BUILD)/libcommon.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(COMMON_LIBS) $(LDLIBS)

$(BUILD)/bench/viewcost: tests/bench/viewcost.c tests/bench/stats.c $(BENCH_H) \
                          $(BUILD)/libdaemon.a $(BUILD)/libcommon.a
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	    $(BUILD)/libdaemon.a $(BUILD)/libcommon.a $(DAEMON_LIBS) \
	    $(COMMON_LIBS) $(LDLIBS)

$(BUILD)/bench/mkcorpus: tests/bench/mkcorpus.c tests/bench/corpus.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	    $(shell pkg-config --libs zlib 2>/dev/null)

$(BUILD)/bench/mksigs: tests/bench/mksigs.c tests/bench/corpus.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(DAEMON_CFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) \
	    $(shell pkg-config --libs zlib 2>/dev/null)

bench-progs: all $(BENCH_PROGS)

bench-deps:
	sh tests/bench/install-deps.sh

# make bench: about 10 minutes; make bench-quick: about 1 (smaller
# database, corpus and store).  Both install the peer (clamav-milter)
# first; the report says which targets were met.
bench: bench-deps
	$(MAKE) bench-progs
	sh tests/bench/run.sh $(BUILD) full

bench-quick: bench-deps
	$(MAKE) bench-progs
	sh tests/bench/run.sh $(BUILD) quick

# two clamgate binaries on the same work, interleaved: the before/after
# ratio of a change (make bench-ab A=old/clamgate B=build/clamgate)
bench-ab: bench-progs
	sh tests/bench/ab.sh $(BUILD) $(A) $(B) $(ROUNDS)

.PHONY: bench bench-quick bench-ab bench-deps bench-progs
