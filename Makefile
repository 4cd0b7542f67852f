# clamgate - a ClamAV milter that never sends backscatter.
#
# make            build build/clamgate
# make check      install missing packages, build, run every test
# make test       build and run every test (packages already there)
# make check-asan the same, built with -fsanitize=address,undefined
# make check-full make check with the whole detection matrix
# make install    PREFIX=/usr/local DESTDIR=
# make bench      the benchmark report (make bench-quick: a short one)
# make run        install missing packages, build, run in the foreground
# make demo       clamgate and a private Postfix on 127.0.0.1:2525
# make demo-stop  stop them

VERSION   = 0.2.0
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
BUILD    ?= build

PKGS      = libclamav milter gmime-3.0 libconfig zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN      = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -fstack-protector-strong -D_FORTIFY_SOURCE=2
CPPFLAGS += -D_GNU_SOURCE -DCLAMGATE_VERSION='"$(VERSION)"' \
            -DCLAMGATE_CONF='"$(SYSCONFDIR)/clamgate/clamgate.conf"' \
            -Iinclude $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread
ifdef WERROR
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=address,undefined
endif

# Modules shared by the daemon and the tests (everything but main.c).
LIB_SRCS = src/config.c src/config_keys.c src/strconv.c src/cidr.c src/policy.c src/reply.c \
           src/log.c src/xmalloc.c src/spool.c src/quarantine.c \
           src/quarantine_read.c src/mime.c \
           src/sendmail.c src/notify.c src/token.c src/token_store.c src/pass.c \
           src/scan.c src/scan_tmp.c src/canary.c src/scan_clamav.c src/scan_clamd.c src/session.c src/act.c \
           src/milter.c src/daemon.c src/reload.c src/expire.c
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%.o)

CLI_SRCS = src/cli_main.c src/cli_list.c src/cli_entry.c
CLI_OBJS = $(CLI_SRCS:src/%.c=$(BUILD)/%.o)

all: $(BUILD)/clamgate $(BUILD)/clamgate-quarantine

$(BUILD)/clamgate-quarantine: $(CLI_OBJS) $(BUILD)/libclamgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/clamgate: $(BUILD)/main.o $(BUILD)/libclamgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libclamgate.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/%.o: src/%.c $(wildcard include/clamgate/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/unit/%.o: tests/unit/%.c $(wildcard include/clamgate/*.h tests/unit/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/unit
	$(CC) $(CPPFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -DTOP='"$(CURDIR)"' -Itests/unit -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_OBJS) $(BUILD)/libclamgate.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD):
	@mkdir -p $(BUILD)

# check installs missing packages first, then builds in a new make (the
# pkg-config flags above are read when make starts)
check: deps
	$(MAKE) test

$(BUILD)/fakeclamd: tests/clamd/fakeclamd.c | $(BUILD)
	$(CC) $(CFLAGS) -o $@ $<

test: all $(BUILD)/unit-tests $(BUILD)/fakeclamd $(BUILD)/bench/loadgen \
      $(BUILD)/bench/mkcorpus
	BUILD=$(BUILD) DETECT=$(DETECT) sh tests/run-all.sh

# the whole detection matrix (every sample, wrapping, header form and
# backend) instead of make check's slice of it: about 2 more minutes
check-full: deps
	$(MAKE) test DETECT=full

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
	    $(DESTDIR)$(UNITDIR)
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
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf ]; then \
	    echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf"; \
	else \
	    install -m 0644 etc/clamgate.conf $(DESTDIR)$(SYSCONFDIR)/clamgate/clamgate.conf; \
	fi

format-check:
	clang-format --dry-run --Werror src/*.c src/*.h include/clamgate/*.h \
	    tests/unit/*.c tests/unit/*.h tests/bench/*.c tests/bench/*.h \
	    tests/clamd/*.c

clean:
	rm -rf build build-asan

.PHONY: all check check-full test check-asan deps run demo demo-stop install format-check clean

# Benchmarks: timing goals live here, as ratios against a baseline
# measured in the same run, never in the tests.
$(BUILD)/mkstore: tests/bench/mkstore.c $(BUILD)/libclamgate.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

BENCH_H = $(wildcard tests/bench/*.h)
BENCH_PROGS = $(BUILD)/mkstore $(BUILD)/bench/loadgen $(BUILD)/bench/mkcorpus \
              $(BUILD)/bench/mksigs $(BUILD)/bench/barescan

$(BUILD)/bench/loadgen: tests/bench/loadgen.c tests/bench/mclient.c \
                        tests/bench/stats.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) -lpthread

$(BUILD)/bench/barescan: tests/bench/barescan.c tests/bench/stats.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) -lclamav -lpthread

$(BUILD)/bench/mkcorpus: tests/bench/mkcorpus.c tests/bench/corpus.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) -lz

$(BUILD)/bench/mksigs: tests/bench/mksigs.c tests/bench/corpus.c $(BENCH_H)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $(filter %.c,$^) -lz

bench-progs: all $(BENCH_PROGS)

bench-deps:
	sh tests/bench/install-deps.sh

# make bench: about 8 minutes; make bench-quick: about 1 (smaller
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
