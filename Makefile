# apictl: the two commands a new user needs are `make demo` and `make test`.
SWIFT   ?= swift
PREFIX  ?= /usr/local
DESTDIR ?=
DEBUG_BIN   := .build/debug/apictl
RELEASE_BIN := .build/release/apictl
# The OpenAPI parser `api sync` runs, beside apictl: built in a folder of its own, since
# apictl's release flags (no Foundation, no exported symbols) are not for it.
OPENAPI_BIN := .build-openapi/release/apictl-openapi

.PHONY: all deps build release release-apictl release-openapi test unit-test integration-test demo bench install uninstall generated deb fuzz clean

all: build

deps:
	@Tests/Scripts/install-deps.sh

# toml++ (inside TOMLKit) is built without NDEBUG, and its assertions fire on malformed
# input (`[ = 1` in the config aborted every command; `make fuzz` found it). Defining
# TOML_ASSERT empty lets its parser reach its own error paths instead, and unlike NDEBUG
# does not turn the assertions into optimizer assumptions. Every build and test uses it.
TOML_FLAGS := -Xcxx '-DTOML_ASSERT(expr)=((void)0)'

build: deps
	$(SWIFT) build $(TOML_FLAGS)

# Release builds are tuned for start-up, most of a request's time (docs/development.md):
# - the Swift standard library, libstdc++ and libgcc are linked statically: every
#   shared library loaded costs symbol lookups and page faults. The toolchain asks
#   for -lstdc++ by name, so STATIC_CXX, searched first, holds only the archive.
# - concrete generic types get direct metadata accessors instead of mangled names
#   resolved at run time, which look up protocol conformances by scanning them all.
# - no symbols are exported: the runtime calls dladdr() at start-up, which walks
#   the exported symbol table, and the toolchain's default exports ~9000 of them.
# - lld packs the ~45000 relative relocations as RELR (9 KB instead of 1.1 MB for
#   the loader to read). TOMLKit asks to autolink full Foundation;
#   gold never needed it, but lld would take members from it first, so that
#   request is dropped: a link that did need Foundation now fails loudly.
# - libcurl's heaviest dependencies are named right after libc (which keeps its
#   place), so the loader finds their symbols near the front of the search order
#   instead of after twenty other libraries. Most of the ~9000 symbol lookups at
#   start-up bind a library to itself (libcrypto alone: 4000); the order is by
#   those counts (LD_DEBUG=bindings, Debian 12). Only libraries this machine's
#   libcurl already loads are named, so nothing new is loaded, and no symbol
#   changes which library it binds to.
# - the functions and .bss variables a run touches come first in their sections
#   ($(STARTUP_ORDER), written by Tests/Scripts/startup-order.sh from valgrind
#   traces), so a run faults in fewer pages of apictl. A stale list costs speed only.
CLANG      ?= $(dir $(realpath $(shell command -v $(SWIFT))))clang
STATIC_CXX := .build/static-cxx
STARTUP_ORDER := Sources/apictl/startup-order.txt
LOOKUP_ORDER := libc libcrypto libgnutls libnettle libunistring libldap libhogweed libssl liblber libgmp
CURL_DEPS     = $(shell ldd $(shell $(CLANG) -print-file-name=libcurl.so) 2>/dev/null | awk '$$2 == "=>" {print $$1}')
LOOKUP_FIRST  = $(foreach stem,$(LOOKUP_ORDER),$(filter $(stem).so.% $(stem)-%,$(CURL_DEPS)))

# The two release builds run side by side: apictl's compiles one large module at a time
# for most of its length and keeps 60% of two cores busy, so together they take 160 s
# instead of 197 s here. --output-sync keeps each build's output in one piece.
release:
	@$(MAKE) --no-print-directory -j2 --output-sync=target release-apictl release-openapi
	install -m 0755 $(OPENAPI_BIN) $(dir $(RELEASE_BIN))apictl-openapi

# Cross-module optimisation lets the compiler specialise OpenAPIKit's generic decoding
# for our types: `api sync` of a 1,000-operation description is a third faster with it.
release-openapi: deps
	$(SWIFT) build -c release $(TOML_FLAGS) --scratch-path .build-openapi --product apictl-openapi --static-swift-stdlib \
	  -Xswiftc -cross-module-optimization

release-apictl: deps
	@# SwiftPM relinks when objects or flags change, not when the order file does.
	@[ ! -e $(RELEASE_BIN) ] || [ $(RELEASE_BIN) -nt $(STARTUP_ORDER) ] || rm -f $(RELEASE_BIN)
	@mkdir -p $(STATIC_CXX)
	@archive=$$($(CLANG) -print-file-name=libstdc++.a); \
	  [ -f "$$archive" ] || { echo "release: no libstdc++.a found by $(CLANG) (apt-get install libstdc++-12-dev)" >&2; exit 1; }; \
	  ln -sf "$$archive" $(STATIC_CXX)/libstdc++.a
	$(SWIFT) build -c release $(TOML_FLAGS) --product apictl --static-swift-stdlib --disable-local-rpath \
	  -Xswiftc -L$(CURDIR)/$(STATIC_CXX) -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
	  -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
	  -Xlinker --no-export-dynamic \
	  $(foreach library,Foundation CoreFoundation FoundationInternationalization _FoundationICU,\
	    -Xswiftc -Xfrontend -Xswiftc -disable-autolink-library -Xswiftc -Xfrontend -Xswiftc $(library)) \
	  -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
	  -Xlinker --push-state -Xlinker --no-as-needed $(foreach library,$(LOOKUP_FIRST),-Xlinker -l:$(library)) -Xlinker --pop-state \
	  -Xlinker --symbol-ordering-file=$(CURDIR)/$(STARTUP_ORDER) -Xlinker --no-warn-symbol-ordering

unit-test: build
	$(SWIFT) test $(TOML_FLAGS) --disable-swift-testing

# The integration suite runs the release binaries: they are what `make install` and
# `make deb` ship, and start-up code such as Sources/CProcessStart only takes effect in
# them. Its tests mostly wait on servers and shells, so four workers share two cores
# well; each worker starts its own servers on free ports (pytest-xdist). Tests that
# share one thing of the machine's (the user's kernel keyring, the installed package)
# name an xdist_group, and loadgroup runs each group on one worker.
INTEGRATION_WORKERS ?= 4
integration-test: release build
	APICTL_BIN=$(CURDIR)/$(RELEASE_BIN) python3 -m pytest -q -n $(INTEGRATION_WORKERS) --dist loadgroup Tests/Integration

test: unit-test integration-test

demo: build
	APICTL_BIN=$(CURDIR)/$(DEBUG_BIN) Tests/Scripts/demo.sh

bench: release
	APICTL_BIN=$(CURDIR)/$(RELEASE_BIN) Tests/Scripts/bench.sh

# Standard locations: bash-completion's and zsh's site-functions directories.
BINDIR     = $(DESTDIR)$(PREFIX)/bin
BASHCOMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
MANDIR     = $(DESTDIR)$(PREFIX)/share/man/man1
HELPERDIR  = $(DESTDIR)$(PREFIX)/lib/apictl

# INSTALL_BIN lets the tests install the binary they just built, without a release build.
INSTALL_BIN ?= $(RELEASE_BIN)
install: $(if $(filter $(RELEASE_BIN),$(INSTALL_BIN)),release)
	install -d $(BINDIR) $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR) $(MANDIR) $(HELPERDIR)
	install -m 0755 $(INSTALL_BIN) $(BINDIR)/apictl
	install -m 0755 $(dir $(INSTALL_BIN))apictl-openapi $(HELPERDIR)/apictl-openapi
	install -m 0644 completions/apictl.bash $(BASHCOMPDIR)/apictl
	install -m 0644 completions/_apictl $(ZSHCOMPDIR)/_apictl
	install -m 0644 completions/apictl.fish $(FISHCOMPDIR)/apictl.fish
	install -m 0644 docs/apictl.1 $(MANDIR)/apictl.1

uninstall:
	rm -f $(BINDIR)/apictl $(BASHCOMPDIR)/apictl $(ZSHCOMPDIR)/_apictl $(FISHCOMPDIR)/apictl.fish $(MANDIR)/apictl.1 \
	  $(HELPERDIR)/apictl-openapi
	-rmdir $(HELPERDIR) 2>/dev/null

# Regenerates the committed completion scripts and man page from the command tree.
generated: build
	$(DEBUG_BIN) completion bash > completions/apictl.bash
	$(DEBUG_BIN) completion zsh > completions/_apictl
	$(DEBUG_BIN) completion fish > completions/apictl.fish
	$(DEBUG_BIN) __man > docs/apictl.1

# libFuzzer + ASan targets for every parser of outside input, FUZZ_SECONDS each (default 60).
# Not part of `make test`: a clean build takes a few minutes (docs/development.md).
fuzz: deps
	Fuzz/run.sh

# dist/apictl_VERSION_ARCH.deb from the release binary (packaging/debian/build.sh).
deb: release
	@packaging/debian/build.sh $(RELEASE_BIN)

clean:
	rm -rf .build .build-fuzz .build-openapi dist
