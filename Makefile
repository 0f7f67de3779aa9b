# edgefleet build, test and release targets. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VERSION ?= 0.1.0
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
PKG     := github.com/edgefleet/edgefleet
LDFLAGS := -s -w -X $(PKG)/proto/buildinfo.Version=$(VERSION) -X $(PKG)/proto/buildinfo.Commit=$(COMMIT)

# Pinned tool versions.
MINIO_VERSION         := v0.0.0-20260212201848-7aac2a2c5b7c
STATICCHECK_VERSION   := v0.8.2
PROTOC_GEN_GO         := v1.36.12
PROTOC_GEN_GO_VTPROTO := v0.6.0

CACHE      := $(CURDIR)/.cache
TOOLBIN    := $(CACHE)/bin
# MinIO takes minutes to build; a copy kept outside the clone lets fresh
# clones on the same machine reuse it.
USER_CACHE := $(HOME)/.cache/edgefleet/$(MINIO_VERSION)

MODULES := proto tflite agent controlplane tools
# binary name → main package
BINARIES := edgefleet-agent:./agent/cmd/edgefleet-agent \
            edgefleet-controlplane:./controlplane/cmd/edgefleet-controlplane \
            edgefleetctl:./controlplane/cmd/edgefleetctl \
            tflite:./tools/cmd/tflite \
            fleetsim:./tools/cmd/fleetsim \
            modelgen:./tools/cmd/modelgen
# dist suffix → GOARCH/GOARM
TARGETS := amd64:amd64: arm64:arm64: armv7:arm:7 armv6:arm:6 riscv64:riscv64:
CROSS_BINARIES := edgefleet-agent:./agent/cmd/edgefleet-agent tflite:./tools/cmd/tflite

APT_PACKAGES := mosquitto mosquitto-clients qemu-user protobuf-compiler flatbuffers-compiler file

export PATH := $(TOOLBIN):$(PATH)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## build every binary into bin/
	@mkdir -p bin
	@for b in $(BINARIES); do \
	  name=$${b%%:*}; pkg=$${b#*:}; echo "go build $$name"; \
	  go build -trimpath -ldflags '$(LDFLAGS)' -o bin/$$name $$pkg; \
	done

.PHONY: cross
cross: ## cross-compile agent and tflite for linux amd64/arm64/armv7/armv6/riscv64 into dist/
	@mkdir -p dist
	@for t in $(TARGETS); do \
	  suffix=$${t%%:*}; rest=$${t#*:}; arch=$${rest%%:*}; arm=$${rest#*:}; \
	  for b in $(CROSS_BINARIES); do \
	    name=$${b%%:*}; pkg=$${b#*:}; echo "cross $$name-linux-$$suffix"; \
	    CGO_ENABLED=0 GOOS=linux GOARCH=$$arch GOARM=$$arm \
	      go build -trimpath -ldflags '$(LDFLAGS)' -o dist/$$name-linux-$$suffix $$pkg; \
	  done; \
	done
	@ls -l dist/

.PHONY: smoke
smoke: cross fma-guard ## run the arm64/armv7/armv6 agents and the engine's goldens under qemu-user
	@for t in aarch64:arm64 arm:armv7 arm:armv6; do \
	  q=qemu-$${t%%:*}; bin=dist/edgefleet-agent-linux-$${t#*:}; \
	  echo "$$q $$bin version"; $$q $$bin version | grep -q '^edgefleet ' ; \
	  echo "$$q $$bin selfcheck"; $$q $$bin selfcheck; \
	  file $$bin | grep -q 'statically linked' || { echo "$$bin is not statically linked"; exit 1; }; \
	done
	@for t in aarch64:arm64: arm:arm:7; do \
	  q=qemu-$${t%%:*}; rest=$${t#*:}; arch=$${rest%%:*}; arm=$${rest#*:}; \
	  echo "$$q: engine goldens (TestGolden) on linux/$$arch$$arm"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch GOARM=$$arm go test -c -o $(CACHE)/tflite-$$arch.test ./tflite; \
	  (cd tflite && $$q $(CACHE)/tflite-$$arch.test -test.run 'TestGolden$$' -test.count 1); \
	done
	@# arm64 has three kernel paths: SDOT (CPUs with dot-product, as qemu's
	@# "max"), NEON (a Cortex-A53 has no dot-product) and portable Go. The
	@# kernel tests run on each, EDGEFLEET_TFLITE_EXPECT_SDOT failing them if
	@# the CPU model did not select the intended path; the goldens run on the
	@# other two as well.
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go test -c -o $(CACHE)/kernel-arm64.test ./tflite/internal/kernel
	cd tflite/internal/kernel && EDGEFLEET_TFLITE_EXPECT_SDOT=1 qemu-aarch64 -cpu max $(CACHE)/kernel-arm64.test -test.count 1
	cd tflite/internal/kernel && EDGEFLEET_TFLITE_EXPECT_SDOT=0 qemu-aarch64 -cpu cortex-a53 $(CACHE)/kernel-arm64.test -test.count 1
	cd tflite/internal/kernel && EDGEFLEET_TFLITE_NOSIMD=1 qemu-aarch64 -cpu max $(CACHE)/kernel-arm64.test -test.count 1
	cd tflite && qemu-aarch64 -cpu cortex-a53 $(CACHE)/tflite-arm64.test -test.run 'TestGolden$$' -test.count 1
	cd tflite && EDGEFLEET_TFLITE_NOSIMD=1 qemu-aarch64 -cpu max $(CACHE)/tflite-arm64.test -test.run 'TestGolden$$' -test.count 1

.PHONY: test
test: deps ## install deps, run every module's tests, then the qemu smoke test
	go test -race -count=1 ./proto/... ./agent/... ./controlplane/... ./tools/...
	go test -count=1 ./tflite/...
	go test -count=1 -run 'RSS' ./controlplane/internal/server   # memory figures, without -race
	$(MAKE) smoke
	$(MAKE) vnni-check

.PHONY: lint
lint: $(TOOLBIN)/staticcheck ## gofmt check, go vet and staticcheck on every module
	@bad=$$(gofmt -l $(MODULES)); if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	go vet $(addsuffix /...,$(addprefix ./,$(MODULES)))
	staticcheck $(addsuffix /...,$(addprefix ./,$(MODULES)))

# Messages the control plane decodes for every device also get
# reflection-free, pooled decoding (UnmarshalVT) from protoc-gen-go-vtproto.
VTPROTO     := telemetry/v1/telemetry.proto
VTPROTO_OPT := features=unmarshal+pool,pool=$(PKG)/proto/telemetry/v1.*

.PHONY: proto
proto: $(TOOLBIN)/protoc-gen-go $(TOOLBIN)/protoc-gen-go-vtproto ## regenerate protobuf Go code (committed)
	@cd proto && for f in $$(find . -name '*.proto'); do echo "protoc $$f"; \
	  protoc --go_out=. --go_opt=paths=source_relative $$f; done
	@cd proto && for f in $(VTPROTO); do echo "protoc vtproto $$f"; \
	  protoc --go-vtproto_out=. --go-vtproto_opt=paths=source_relative,$(VTPROTO_OPT) $$f; done

.PHONY: flatbuffers
flatbuffers: ## regenerate the TFLite schema accessors (committed)
	tflite/internal/schema/gen.sh

.PHONY: demo
demo: build ## run the whole system on embedded defaults
	deploy/demo.sh

.PHONY: deps
deps: ## install what the tests need, only when missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: apt-get install$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: apt packages present"; fi
	@$(MAKE) --no-print-directory $(TOOLBIN)/minio $(TOOLBIN)/staticcheck

$(TOOLBIN)/minio:
	@mkdir -p $(TOOLBIN)
	@if [ -x $(USER_CACHE)/minio ]; then \
	  echo "deps: minio from $(USER_CACHE)"; cp $(USER_CACHE)/minio $@; \
	else \
	  echo "deps: building MinIO $(MINIO_VERSION) (several minutes the first time)"; \
	  GOBIN=$(TOOLBIN) go install github.com/minio/minio@$(MINIO_VERSION); \
	  mkdir -p $(USER_CACHE) && cp $@ $(USER_CACHE)/minio; \
	fi

$(TOOLBIN)/staticcheck:
	@mkdir -p $(TOOLBIN)
	@echo "deps: installing staticcheck $(STATICCHECK_VERSION)"
	@GOBIN=$(TOOLBIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(TOOLBIN)/protoc-gen-go:
	@mkdir -p $(TOOLBIN)
	@echo "deps: installing protoc-gen-go $(PROTOC_GEN_GO)"
	@GOBIN=$(TOOLBIN) go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO)

$(TOOLBIN)/protoc-gen-go-vtproto:
	@mkdir -p $(TOOLBIN)
	@echo "deps: installing protoc-gen-go-vtproto $(PROTOC_GEN_GO_VTPROTO)"
	@GOBIN=$(TOOLBIN) go install github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto@$(PROTOC_GEN_GO_VTPROTO)

# The amd64 VNNI kernels cannot run on the build machines (no AVX-512 or
# AVX-VNNI; qemu-user lacks both), so their tests and the engine's goldens
# run in Bochs: on a Tiger Lake model (AVX512-VNNI, the EVEX kernels) and an
# Arrow Lake model (AVX-VNNI only, the VEX kernels). EDGEFLEET_TFLITE_EXPECT_VNNI=1
# fails the kernel tests if the VNNI path was not selected, and
# EDGEFLEET_TFLITE_EXPECT_VNNI_FORM if the other encoding was.
.PHONY: vnni-check
# Bochs CPU model → the VPDPBUSD encoding the kernels must pick on it.
VNNI_CPUS := tigerlake:evex arrow_lake:vex
VNNI_TESTS := VNNIForm|Dot4|GemmInt|Conv2DFastMatchesReference|FullyConnectedFastMatchesReference

vnni-check: ## run the amd64 VNNI kernel tests and the engine goldens in Bochs (AVX512-VNNI and AVX-VNNI CPU models; slow)
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go test -c -o $(CACHE)/kernel-amd64.test ./tflite/internal/kernel
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go test -c -o $(CACHE)/tflite-amd64.test ./tflite
	@for m in $(VNNI_CPUS); do cpu=$${m%%:*}; form=$${m#*:}; \
	  echo "vnni-check: $$cpu ($$form)"; \
	  tools/bochs/run --cpu $$cpu --dir tflite/internal/kernel --env EDGEFLEET_TFLITE_EXPECT_VNNI=1 \
	    --env EDGEFLEET_TFLITE_EXPECT_VNNI_FORM=$$form \
	    $(CACHE)/kernel-amd64.test -test.count 1 -test.run '$(VNNI_TESTS)' || exit 1; \
	  tools/bochs/run --cpu $$cpu --dir $(CURDIR)/../shared/models --env EDGEFLEET_SHARED_MODELS=/work \
	    $(CACHE)/tflite-amd64.test -test.count 1 -test.run 'TestGolden$$' || exit 1; \
	done

.PHONY: clean
clean: ## remove bin/ and dist/ (keeps the tool cache)
	rm -rf bin dist

.PHONY: fma-guard
fma-guard: ## fail if the engine compiles to fused multiply-adds on arm64 (float outputs must equal amd64's)
	@CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -o $(CACHE)/tflite-arm64-fma ./tools/cmd/tflite
	@bad=$$(go tool objdump $(CACHE)/tflite-arm64-fma | awk '/^TEXT/{sym=$$2} /FMADD|FMSUB|FNMADD|FNMSUB|VFMLA|VFMLS/{ if (sym ~ /edgefleet\/edgefleet\/tflite/) print sym }' | sort -u); \
	if [ -n "$$bad" ]; then echo "fused multiply-add in the engine on arm64 (write float32(a*b) + c):"; echo "$$bad"; exit 1; fi; \
	echo "fma-guard: no fused multiply-adds in the engine on arm64"
