# SPDX-License-Identifier: GPL-2.0
#
# Build the five example modules (and, for the tests, the selftest module)
# against a kernel build tree, in the style of the Rust-for-Linux out-of-tree
# module template. The Kbuild file says what is built.
#
#   make                       against the running kernel's build tree
#   make KDIR=/path/to/build   against another one, e.g. KDIR=$(scripts/kernel.sh)
#   make clean | fmt | fmtcheck | clippy | rust-analyzer
#   make demo | test           the VM demo and the test suite (reference kernels)

KDIR ?= /lib/modules/$(shell uname -r)/build
ROOT := $(CURDIR)

# Every goal except these needs a kernel tree; check it once, up front, and
# stop with preflight's one-line message if it cannot build Rust modules.
no_kdir_goals := help demo test fmt fmtcheck clean
ifneq ($(filter-out $(no_kdir_goals),$(or $(MAKECMDGOALS),modules)),)
  preflight := $(shell '$(ROOT)/scripts/preflight.sh' '$(KDIR)' '$(RUSTC)' '$(LLVM)'; echo " kwait_rc=$$?")
  ifneq ($(lastword $(preflight)),kwait_rc=0)
    $(error $(filter-out kwait_rc=%,$(preflight)))
  endif
  # The tree's recorded toolchain, but what make's command line names wins.
  kwait_given = $(filter command line,$(origin $(firstword $(subst =, ,$(1)))))
  KVARS := $(foreach v,$(filter-out kwait_rc=%,$(preflight)),$(if $(call kwait_given,$(v)),,$(v)))
  KMAKE := $(MAKE) -C '$(KDIR)' M='$(ROOT)' $(KVARS)
endif

.PHONY: modules clean clippy rust-analyzer fmt fmtcheck demo test help

modules:
	$(KMAKE) modules

# What a build leaves in the tree, removed by name where the build puts it: the
# sources' directories and the top level. Not Kbuild's `clean`, nor a find over
# the whole tree: both delete every .ko below it, the modules a benchmark run
# keeps in bench-results/ too (a run still going then fails). Needs no toolchain.
build_output := find '$(ROOT)/src' '$(ROOT)/examples' '$(ROOT)/tests' '$(ROOT)/bench' \
		\( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name '*.rmeta' -o -name '*.d' \) -delete; \
	cd '$(ROOT)' && rm -f -- *.o .*.o *.ko *.mod *.mod.c .*.cmd .*.d modules.order Module.symvers

clean:
	$(build_output)
	rm -f rust-project.json

# Lint with the kernel's clippy set. Objects that are up to date are not
# linted again, so start from a clean tree.
clippy:
	$(build_output)
	$(KMAKE) CLIPPY=1 modules KWAIT_SELFTEST=1 KWAIT_BENCH=1

# rust-project.json for editors: the kernel's crates, kwait and the modules.
rust-analyzer: modules
	python3 '$(ROOT)/scripts/rust-analyzer.py' '$(KDIR)' $(KVARS) > rust-project.json

# rustfmt with the kernel's settings (edition 2021, Unix newlines); `make
# rustfmtcheck` in the kernel has no rule for external modules.
RUSTFMT ?= $(firstword $(wildcard /usr/bin/rustfmt) rustfmt)
rust_sources = $(shell find '$(ROOT)/src' '$(ROOT)/examples' '$(ROOT)/tests' '$(ROOT)/bench' -name '*.rs')
fmt:
	$(RUSTFMT) --config-path '$(ROOT)/.rustfmt.toml' $(rust_sources)

fmtcheck:
	$(RUSTFMT) --check --config-path '$(ROOT)/.rustfmt.toml' $(rust_sources)

demo:
	'$(ROOT)/scripts/demo.sh'

test:
	'$(ROOT)/scripts/test.sh'

help:
	@sed -n 's/^#   //p' '$(ROOT)/Makefile'
