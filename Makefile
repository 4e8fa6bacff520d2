# popvault: `make run` opens the app, `make test` checks and tests it.
# Both first install, with apt-get, whatever system packages are missing.

APT_PACKAGES   := gcc libgl1-mesa-dev xorg-dev dovecot-pop3d xvfb imagemagick xdotool
BENCH_PACKAGES := mpop fetchmail
STATICCHECK    := honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO           := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The UI links GLFW through cgo; the race detector is kept for the rest.
RACE_PACKAGES   = $(shell go list ./... | grep -v -e '/ui' -e '/cmd/')
OTHER_PACKAGES  = $(shell go list ./... | grep -e '/ui' -e '/cmd/')

export LANG ?= C.UTF-8

.PHONY: run test check deps bench-deps bench build clean

run: deps
	go run ./cmd/popvault

build: deps
	go build -o popvault ./cmd/popvault

test: deps check
	go test -race -count=1 $(RACE_PACKAGES)
	go test -count=1 $(OTHER_PACKAGES)

# check fails on unformatted code, vet findings or staticcheck findings.
check:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

# bench: the Go benchmarks, then popvault against mpop and fetchmail.
bench: deps bench-deps
	go test -run XXX -bench . -benchtime 3x ./fetch/pop3/
	go test -run XXX -bench . -benchtime 1x -timeout 60m ./archive/
	go run ./internal/peerbench -messages 1000 -kept 10000 -runs 3

# deps installs the missing packages only, so a second run does nothing.
deps:
	@$(call apt_install,$(APT_PACKAGES))

bench-deps:
	@$(call apt_install,$(BENCH_PACKAGES))

define apt_install
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
if [ -n "$$missing" ]; then \
	echo "installing:" $$missing; \
	$(SUDO) apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
fi
endef

clean:
	rm -f popvault
