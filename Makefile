# backtest-nightly: hand-written Makefile.
#
#   make            build bin/nightly
#   make demo       install missing packages, build, run the demo job
#   make check      install missing packages, build, run every test
#                   (unit + integration, then again under ASan/UBSan)
#   make bench      build optimised and print the benchmark figures
#   make fuzz       libFuzzer (clang) on the CGI request parser and the
#                   strategy loader, FUZZ_SECONDS each (default 60); not
#                   part of make check
#   make clean      remove build/ bin/ out/
#
# Objects of the library (everything in src/ but the two mains) go to an
# archive that bin/nightly, bin/nightly.cgi, the unit tests, the fuzzers
# and the bench link against, so each pulls in only the modules it uses.

CC      = gcc
CFLAGS  = -std=c11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
          -Wno-sign-compare -D_GNU_SOURCE -Isrc -MMD -MP $(shell pkg-config --cflags cairo 2>/dev/null)
LDFLAGS =
CXX     = g++
CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra -Isrc -MMD -MP
PKGS    = jansson inih libcurl sqlite3 libsodium cairo libpng xlsxwriter
# ctemplate ships no pkg-config file; the bridge (src/render/tmpl.cc) is
# the project's only C++, so link with the C++ runtime
LIBS    = $(shell pkg-config --libs $(PKGS)) -lctemplate_nothreads -lstdc++ -lm
TEST_LIBS = $(shell pkg-config --libs cmocka)
SAN     = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
          -fno-sanitize-recover=undefined

MAIN_SRC = src/main.c src/cgi/main.c
LIB_SRC  = $(sort $(filter-out $(MAIN_SRC),$(wildcard src/*/*.c)))
LIB_CXX  = $(sort $(wildcard src/*/*.cc))
LIB_OBJ  = $(LIB_SRC:src/%.c=build/obj/%.o) $(LIB_CXX:src/%.cc=build/obj/%.o)
SAN_OBJ  = $(LIB_SRC:src/%.c=build/san/%.o) $(LIB_CXX:src/%.cc=build/san/%.o)
TEST_SRC = $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN = $(TEST_SRC:tests/unit/%.c=build/tests/%)
SAN_TEST_BIN = $(TEST_SRC:tests/unit/%.c=build/san-tests/%)

.PHONY: all deps demo check test test-unit test-it test-san bench fuzz clean
.DEFAULT_GOAL := all

all: bin/nightly bin/nightly.cgi

deps:
	@sh scripts/install-deps.sh

build/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# the engine's array loops gain from -O3's vectoriser
build/obj/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O3 -c -o $@ $<

build/san/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

build/obj/%.o: src/%.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

build/san/%.o: src/%.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(SAN) -c -o $@ $<

build/libnightly.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/libnightly-san.a: $(SAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

bin/nightly: build/obj/main.o build/libnightly.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

build/obj/main.o: src/main.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

build/san/main.o: src/main.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

bin/nightly-san: build/san/main.o build/libnightly-san.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

# the CGI front-end (src/cgi/main.c) over the same library
bin/nightly.cgi: build/obj/cgi/main.o build/libnightly.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

bin/nightly-san.cgi: build/san/cgi/main.o build/libnightly-san.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

build/tests/%: tests/unit/%.c $(wildcard tests/unit/testutil*.h) build/libnightly.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< build/libnightly.a $(LIBS) $(TEST_LIBS)

build/san-tests/%: tests/unit/%.c $(wildcard tests/unit/testutil*.h) build/libnightly-san.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -Itests/unit -o $@ $< build/libnightly-san.a $(LIBS) $(TEST_LIBS)

build/bench: tests/bench/bench.c tests/unit/testutil_server.h build/libnightly.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O3 -march=native -o $@ $< build/libnightly.a $(LIBS)

# check: packages first, then a fresh make so pkg-config sees them.
check: deps
	@$(MAKE) --no-print-directory test

test: bin/nightly bin/nightly-san bin/nightly.cgi bin/nightly-san.cgi $(TEST_BIN) $(SAN_TEST_BIN)
	@sh tests/run.sh --unit $(TEST_BIN) --san $(SAN_TEST_BIN) \
		--it bin/nightly --san-it bin/nightly-san

test-unit: $(TEST_BIN)
	@sh tests/run.sh --unit $(TEST_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory build/bench bin/nightly
	@./build/bench

# ---- fuzzing: libFuzzer needs clang; the library is rebuilt with it in
# build/fuzz/ (instrumented for coverage, ASan and UBSan).
FUZZ_SECONDS ?= 60
FUZZ_CC   = clang
FUZZ_CXX  = clang++
FUZZ_SAN  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined
FUZZ_OBJ  = $(LIB_SRC:src/%.c=build/fuzz/obj/%.o) $(LIB_CXX:src/%.cc=build/fuzz/obj/%.o)
FUZZERS   = build/fuzz/fuzz_request build/fuzz/fuzz_strategy

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/obj/%.o: src/%.cc
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CXXFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libnightly.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libnightly.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< build/fuzz/libnightly.a $(LIBS)

# Each fuzzer runs FUZZ_SECONDS from the seeds (kept corpus: build/fuzz/corpus/).
fuzz:
	@sh scripts/install-deps.sh --fuzz
	@$(MAKE) --no-print-directory $(FUZZERS)
	@mkdir -p build/fuzz/corpus/request build/fuzz/corpus/strategy
	@cp -n tests/fuzz/seeds/request/* build/fuzz/corpus/request/ 2>/dev/null || true
	@cp -n config/strategies/*.json tests/fixtures/strategies/*.json \
		build/fuzz/corpus/strategy/ 2>/dev/null || true
	@for f in request strategy; do \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		./build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$f- build/fuzz/corpus/$$f \
			2>build/fuzz/$$f.log || { tail -n 60 build/fuzz/$$f.log; \
			echo "fuzz: $$f FAILED (see build/fuzz/$$f.log)"; exit 1; }; \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|Done [0-9]+ runs' \
			build/fuzz/$$f.log; \
		echo "fuzz: $$f ok"; \
	done

clean:
	rm -rf build bin out

-include $(LIB_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) build/obj/main.d build/san/main.d \
	build/obj/cgi/main.d build/san/cgi/main.d
