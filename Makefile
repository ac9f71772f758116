# clinicd: `make run` serves the demo on http://127.0.0.1:8080, `make test` runs every
# suite on a throwaway database.  `make SANITIZE=address,undefined ...` builds with
# sanitizers (into build/san/).

SHELL := /bin/bash
CC ?= gcc
PKGS := libmicrohttpd jansson libpq libsodium libical libcurl zlib
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
SANITIZE ?=

ifeq ($(SANITIZE),)
BUILD := build
OPT := -O2
else
BUILD := build/san
OPT := -O1 -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Recursive (=) so pkg-config runs only once the packages are installed.
CFLAGS = -std=c17 -D_GNU_SOURCE -g $(OPT) $(WARN) -MMD -MP -Ibackend/src \
         $(shell pkg-config --cflags $(PKGS))
LDLIBS = $(shell pkg-config --libs $(PKGS)) -lpthread -lm

SRCS := $(shell find backend/src -name '*.c' | sort)
OBJS := $(patsubst backend/src/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

PORT ?= 8080
PG_DIR := $(CURDIR)/var/pg
PG_PORT ?= 54329
DB ?= clinicd
NODE_DIRS := backend/data tests web

.PHONY: all build run deps db db-stop db-destroy test unit bench fuzz clean
all: build

build: $(BUILD)/clinicd build/common-passwords.txt web/static/vendor/.stamp

# The web pages' pinned front-end files (web/package-lock.json), copied from
# web/node_modules so that nothing is fetched from a CDN at run time.
web/static/vendor/.stamp: web/package-lock.json $(wildcard web/node_modules/.clinicd-deps-stamp)
	@CLINICD_SKIP_APT=1 bash backend/scripts/deps.sh web
	@rm -rf web/static/vendor && mkdir -p web/static/vendor/leaflet
	@cp -r web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css \
	  web/node_modules/leaflet/dist/images web/node_modules/leaflet/LICENSE web/static/vendor/leaflet/
	@touch $@

build/common-passwords.txt: backend/data/build-passwords.mjs backend/data/package-lock.json
	@mkdir -p build
	@node backend/data/build-passwords.mjs $@

$(BUILD)/clinicd: $(OBJS)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: backend/src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS)
	@bash tests/run-unit.sh $(UNIT_BINS)

deps:
	@bash backend/scripts/deps.sh $(NODE_DIRS)

db: deps
	@$(MAKE) --no-print-directory build
	@bash backend/scripts/setup-db.sh $(PG_DIR) $(PG_PORT) $(DB) $(BUILD)/clinicd

db-stop:
	@bash backend/scripts/pg.sh stop $(PG_DIR)

db-destroy:
	@bash backend/scripts/pg.sh destroy $(PG_DIR)

run: db
	@bash backend/scripts/run.sh $(BUILD) $(PG_DIR) $(PG_PORT) $(DB) $(PORT)

test: deps
	@$(MAKE) --no-print-directory build $(UNIT_BINS)
	@SANITIZE=$(SANITIZE) bash tests/run.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory build
	@bash tests/bench/run.sh $(BUILD)

# libFuzzer harnesses (clang, ASan, UBSan): FUZZ_SECONDS per harness; make test runs
# them for a few seconds each.
FUZZ_SECONDS ?= 300
fuzz: deps
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build

-include $(OBJS:.o=.d)
