# apictl: the two commands a new user needs are `make demo` and `make test`.
SWIFT   ?= swift
PREFIX  ?= /usr/local
DESTDIR ?=
DEBUG_BIN   := .build/debug/apictl
RELEASE_BIN := .build/release/apictl

.PHONY: all deps build release test unit-test integration-test demo bench clean

all: build

deps:
	@Tests/Scripts/install-deps.sh

build: deps
	$(SWIFT) build

# Release builds link the Swift standard library statically: faster start-up.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

unit-test: build
	$(SWIFT) test --disable-swift-testing

integration-test: build
	APICTL_BIN=$(CURDIR)/$(DEBUG_BIN) python3 -m pytest -q Tests/Integration

test: unit-test integration-test

demo: build
	APICTL_BIN=$(CURDIR)/$(DEBUG_BIN) Tests/Scripts/demo.sh

bench: release
	APICTL_BIN=$(CURDIR)/$(RELEASE_BIN) Tests/Scripts/bench.sh

clean:
	rm -rf .build
