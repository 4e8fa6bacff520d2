# popvault: `make run` opens the app, `make test` checks and tests it.
# Both first install, with apt-get, whatever system packages are missing.

# Every program a test runs comes from APT_PACKAGES: tools/testdeps
# fails when a test runs one that is not here. dbus-x11 is here on purpose:
# it brings dbus-launch, which a popvault without a session bus must never
# start (the keyring tests would not see that happen without it).
APT_PACKAGES   := gcc libgl1-mesa-dev xorg-dev dovecot-pop3d dovecot-imapd xvfb imagemagick xdotool python3 mutt \
                  notmuch tmux gnome-keyring dbus-daemon dbus-x11 mpop fetchmail isync xdg-utils chromium \
                  gcc-mingw-w64-x86-64 dpkg-dev xz-utils wine wine64 desktop-file-utils apt sudo \
                  systemd cron
# The line before last is the release's: mingw-w64 for the Windows build (cgo,
# GLFW), dpkg-dev for dpkg-shlibdeps (the .deb's dependencies), xz for the
# tar.xz; Wine and desktop-file-validate for their tests; apt and sudo,
# with which the .deb's test installs and removes the package (present on
# most machines, but a minimal container running as root may lack sudo).
# systemd and cron: schedule's tests check its units with systemd-analyze
# and its crontab lines with the real crontab.
NFPM           := github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
STATICCHECK    := honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO           := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export LANG ?= C.UTF-8

FYNE_TOOL := $(CURDIR)/.tools/fyne
APP_ID    := io.popvault.app

# A release's version (packaging/version: git describe, or FyneApp.toml's
# version and the commit) and build number (the commit count) go into the
# binary, FyneApp.toml's build, the .deb and the Windows file properties.
# Release builds are -trimpath (no build machine's paths inside) and
# stripped; SOURCE_DATE_EPOCH dates the man page and the zip by the commit.
VERSION      ?= $(shell packaging/version)
VERSION      := $(VERSION)
BUILD        := $(shell git rev-list --count HEAD 2>/dev/null || echo 1)
BASE_VERSION := $(shell sed -n 's/^ *Version = "\(.*\)"$$/\1/p' FyneApp.toml)
RELEASE_LDFLAGS = -s -w -X main.version=$(VERSION)
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
# cgo for Windows with mingw-w64; -trimpath here too, so that make test's
# Windows checks share the build cache with the release (GLFW for Windows
# takes minutes to compile once).
WINDOWS_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc GOFLAGS=-trimpath

.PHONY: run test check lint check-windows linux-binary test-windows deps bench bench-scale build clean demo package package-windows deb release install uninstall stress

run: deps
	go run ./cmd/popvault

build: deps
	go build -o popvault ./cmd/popvault

# demo opens the window on sample mail served from inside the app.
demo: deps
	go run ./cmd/popvault --demo

# DIST is where release files go; tests give a folder of their own.
DIST ?= dist

# $(DIST)/linux/popvault is the release's Linux binary, for the tar.xz and
# the .deb alike.
linux-binary: deps
	mkdir -p $(DIST)/linux
	go build -trimpath -ldflags "$(RELEASE_LDFLAGS)" -o $(DIST)/linux/popvault ./cmd/popvault

# package builds $(DIST)/popvault.tar.xz (binary, icon, .desktop entry) with
# the fyne tool, from FyneApp.toml, around the release binary. The tool
# reads FyneApp.toml in the program's source folder, and writes the build
# number back into it: it gets a copy there, removed afterwards.
package: linux-binary $(FYNE_TOOL)
	sed 's#Icon = "assets/icon.png"#Icon = "../../assets/icon.png"#' FyneApp.toml > cmd/popvault/FyneApp.toml
	cd cmd/popvault && $(FYNE_TOOL) package --os linux --release --exe $(abspath $(DIST))/linux/popvault --name popvault \
		--app-version $(BASE_VERSION) --app-build $(BUILD); status=$$?; rm -f FyneApp.toml; exit $$status
	mv cmd/popvault/popvault.tar.xz $(DIST)/
	@echo "$(DIST)/popvault.tar.xz"

# package-windows builds $(DIST)/popvault-windows-amd64.zip: popvault.exe
# (GUI subsystem, icon, version, manifest), its console twin popvault.com
# and a README (tools/winpack; why two: cmd/popvault/console_windows.go).
package-windows: deps
	rm -rf $(DIST)/windows && mkdir -p $(DIST)/windows
	go run ./tools/winpack resources -icon assets/icon.png -version $(VERSION) -build $(BUILD) -out $(DIST)/windows
	x86_64-w64-mingw32-windres -O coff -I $(DIST)/windows -o cmd/popvault/rsrc_windows_amd64.syso $(DIST)/windows/popvault.rc
	$(WINDOWS_ENV) go build -ldflags "-H=windowsgui $(RELEASE_LDFLAGS)" -o $(DIST)/windows/popvault.exe ./cmd/popvault; \
		status=$$?; rm -f cmd/popvault/rsrc_windows_amd64.syso; exit $$status
	go run ./tools/winpack zip -exe $(DIST)/windows/popvault.exe -readme packaging/windows/README.txt \
		-out $(DIST)/popvault-windows-amd64.zip
	@echo "$(DIST)/popvault-windows-amd64.zip"

# deb builds $(DIST)/popvault_VERSION_amd64.deb with nfpm (packaging/deb):
# the binary, its desktop entry and icon, a man page and bash completion
# made from its usage text, and the libraries it links as dependencies
# (dpkg-shlibdeps, which wants a debian/control beside it).
deb: linux-binary
	rm -rf $(DIST)/deb && mkdir -p $(DIST)/deb/debian
	$(DIST)/linux/popvault manpage | gzip -9n > $(DIST)/deb/popvault.1.gz
	$(DIST)/linux/popvault completion bash > $(DIST)/deb/popvault.bash
	printf 'Source: popvault\n' > $(DIST)/deb/debian/control
	cd $(DIST)/deb && dpkg-shlibdeps -O $(abspath $(DIST))/linux/popvault | sed -n 's/^shlibs:Depends=//p' > depends
	test -s $(DIST)/deb/depends
	rm -f $(DIST)/popvault_*.deb
	DIST="$(abspath $(DIST))" VERSION="$(VERSION)" DEPENDS="$$(cat $(DIST)/deb/depends)" go run $(NFPM) package --packager deb \
		--config packaging/deb/nfpm.yaml --target $(DIST)/
	@ls $(DIST)/popvault_*.deb

# release builds every package with one version, and their SHA-256 sums.
# macOS needs Apple's SDK and cannot be built here: see the README.
release: package deb package-windows
	cd $(DIST) && sha256sum popvault.tar.xz popvault_*.deb popvault-windows-amd64.zip > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

$(FYNE_TOOL):
	GOBIN=$(CURDIR)/.tools go install fyne.io/tools/cmd/fyne@v1.7.4

# install puts popvault in ~/.local for the current user, so that it shows
# in the desktop's launcher; uninstall takes it out again.
install: package
	rm -rf $(DIST)/unpacked && mkdir -p $(DIST)/unpacked && tar -xJf $(DIST)/popvault.tar.xz -C $(DIST)/unpacked
	$(MAKE) -C $(DIST)/unpacked/popvault user-install
	@echo "installed: ~/.local/bin/popvault and its launcher entry"

uninstall:
	rm -f $(HOME)/.local/share/applications/$(APP_ID).desktop $(HOME)/.local/bin/popvault $(HOME)/.local/share/icons/$(APP_ID).png

# stress runs the long forms of the reliability suites.
stress: deps
	POPVAULT_KILLS=50 POPVAULT_KILL_MESSAGES=500 POPVAULT_INDEX_KILLS=20 POPVAULT_RESTORE_KILLS=50 go test -count=1 -run 'Kill' -v -timeout 60m ./cmd/popvault/
	POPVAULT_LOAD_MESSAGES=20000 go test -count=1 -run 'LoadFetch' -v -timeout 60m ./cmd/popvault/
	go test -count=1 -run XXX -bench Verify100k -benchtime 1x -timeout 60m ./archive/
	go test -count=1 -run XXX -fuzz FuzzView -fuzztime 3m ./archive/
	go test -count=1 -run XXX -fuzz FuzzDecodeSummary -fuzztime 1m ./archive/
	go test -count=1 -run XXX -fuzz FuzzDamagedArchive -fuzztime 10m ./archive/
	go test -count=1 -run XXX -fuzz FuzzExtract -fuzztime 2m ./archive/
	go test -count=1 -run XXX -fuzz FuzzDotUnstuff -fuzztime 2m ./fetch/pop3/
	go test -count=1 -run XXX -fuzz FuzzStatus -fuzztime 1m ./fetch/pop3/
	go test -count=1 -run XXX -fuzz FuzzListing -fuzztime 1m ./fetch/pop3/
	go test -count=1 -run XXX -fuzz FuzzParse -fuzztime 1m ./archive/fulltext/
	go test -count=1 -run XXX -fuzz FuzzHTML -fuzztime 2m ./render/
	go test -count=1 -run XXX -fuzz FuzzPlainText -fuzztime 1m ./render/
	go test -count=1 -run XXX -fuzz FuzzBuild -fuzztime 1m ./thread/

# Every package runs under the race detector, the window's included (it
# works with cgo): see ui/thread_test.go for how the UI tests give it a
# goroutine to race with. tools/release builds the release packages and
# tests them: the Windows zip under Wine, the .deb installed with apt-get.
test: deps lint test-windows
	go test -race -count=1 -timeout 40m ./...

# check-windows vets every package for Windows and compiles every test
# binary, so that a Windows-only compile error fails make test.
check-windows: deps
	$(WINDOWS_ENV) go vet ./...
	rm -rf .tools/windows-tests && mkdir -p .tools/windows-tests
	$(WINDOWS_ENV) go test -c -o .tools/windows-tests/ ./... >/dev/null

# test-windows runs under Wine (tools/wine) the tests of the packages
# that can run there, built for Windows; -overlay is Wine's one Go fix
# (wine.Overlay). What cannot run there, and why:
#   cmd/popvault, cli, restore: they start Dovecot, a Linux server (the
#     Windows command line is tested end to end under Wine by
#     tools/release);
#   tools/testdeps reads Debian's package database; tools/winpack
#     runs the Go toolchain; tools/release runs make and Wine itself;
#   and, in the packages that run, WINE_SKIP: tests that start Dovecot, a
#     D-Bus session with gnome-keyring, or Chromium, and one that draws
#     Hebrew, for which Wine has no font (Windows has several).
WINE_PACKAGES := ./archive/... ./fetch/ ./fetch/pop3/ ./fetch/pop3test/ ./render/ ./thread/ ./oauth/... \
                 ./internal/termtext/ ./ui/ ./schedule/ ./notify/
WINE_SKIP     := ^(TestDovecot.*|TestKeyring|TestKeyringLocked|TestPageInBrowser|TestTemplatesInChromium|TestCopyToIMAP.*|TestDeliveryDialog|TestDeliverySignInWithGoogle|TestDeliveryAlsoArchived|TestDeliveryTooLargeNote|TestFyneShapesAWordRightToLeft)$$
WINEXEC       := $(CURDIR)/.tools/winexec
# What left fetch for packages of its own (#26) runs there as it did:
# the keyring's file fallback, Credential Manager, token commands by cmd.
WINE_PACKAGES += ./credentials/ ./transport/ ./bearer/
# health runs there too; handoff does not: Wine has no AF_UNIX sockets
# (winapi error 10047), which Windows has had since 10 1803.
WINE_PACKAGES += ./health/
test-windows: check-windows
	go build -o $(WINEXEC) ./tools/wine/winexec
	WINEPREFIX=$(CURDIR)/.tools/wineprefix $(WINEXEC) --init
	WINEPREFIX=$(CURDIR)/.tools/wineprefix $(WINDOWS_ENV) go test -count=1 -timeout 20m \
		-overlay $$($(WINEXEC) --overlay .tools/wine-overlay) -exec $(WINEXEC) -skip '$(WINE_SKIP)' $(WINE_PACKAGES)

# check is the quick tier, for the inner loop: the unit tests, with
# nothing installed beyond Go. -short makes every test that needs another
# program (Dovecot, Xvfb, a D-Bus session with gnome-keyring, Chromium,
# Wine, mpop, mutt, namespaces, the real binary) skip, saying what it
# needs; make test, without -short, runs them and fails where one is
# missing. The tag ci is Fyne's: its app on the headless driver, so that
# nothing builds GLFW. No race detector: it would take this tier past
# two minutes on two cores; make test runs every test under it.
check:
	go test -short -tags ci -timeout 10m ./...

# lint fails on unformatted code, vet findings or staticcheck findings.
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

# bench: the Go benchmarks, then popvault against mpop and fetchmail.
bench: deps
	go test -run XXX -bench . -benchtime 3x ./fetch/pop3/
	go test -run XXX -bench . -benchtime 1x -timeout 60m ./archive/
	go test -run XXX -bench Download1000 -benchtime 3x ./fetch/
	go test -run XXX -bench Store -benchtime 200x ./health/
	go run ./tools/peerbench -messages 1000 -kept 10000 -per-account 200 -runs 3

# bench-scale: popvault on a million generated messages, imported in two
# halves, and what a person waits for there (the table of issue #18):
# about an hour on two cores, most of it indexing. Not part of test;
# SCALE_MESSAGES=100000 is a quicker form.
SCALE_MESSAGES ?= 1000000
bench-scale: deps
	go run ./tools/scalebench -messages $(SCALE_MESSAGES)

# deps installs the missing packages only, so a second run does nothing.
deps:
	@$(call apt_install,$(APT_PACKAGES))

# As root apt-get runs with debconf kept quiet; through sudo it runs bare,
# since a sudoer allowed only apt-get may not set DEBIAN_FRONTEND (none of
# these packages asks a question at debconf's default priority anyway).
APT_GET := $(if $(SUDO),sudo apt-get,env DEBIAN_FRONTEND=noninteractive apt-get)

define apt_install
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
if [ -n "$$missing" ]; then \
	echo "installing:" $$missing; \
	$(APT_GET) update -qq </dev/null && \
	$(APT_GET) install -y -qq $$missing </dev/null; \
fi
endef

clean:
	rm -rf popvault dist .tools
