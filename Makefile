# popvault: `make run` opens the app, `make test` checks and tests it.
# Both first install, with apt-get, whatever system packages are missing.

# Every program a test runs comes from APT_PACKAGES: internal/testdeps
# fails when a test runs one that is not here. dbus-x11 is here on purpose:
# it brings dbus-launch, which a popvault without a session bus must never
# start (the keyring tests would not see that happen without it).
APT_PACKAGES   := gcc libgl1-mesa-dev xorg-dev dovecot-pop3d dovecot-imapd xvfb imagemagick xdotool python3 mutt \
                  notmuch tmux gnome-keyring dbus-daemon dbus-x11 mpop fetchmail isync xdg-utils chromium
STATICCHECK    := honnef.co/go/tools/cmd/staticcheck@v0.8.2
SUDO           := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export LANG ?= C.UTF-8

FYNE_TOOL := $(CURDIR)/.tools/fyne
APP_ID    := io.popvault.app

.PHONY: run test check deps bench build clean demo package install uninstall stress

run: deps
	go run ./cmd/popvault

build: deps
	go build -o popvault ./cmd/popvault

# demo opens the window on sample mail served from inside the app.
demo: deps
	go run ./cmd/popvault --demo

# package builds dist/popvault.tar.xz (binary, icon, .desktop entry) with
# the fyne tool, from the top-level FyneApp.toml: the tool reads the file
# in its source folder, so a copy with the icon's path adjusted is put
# there for the build.
package: deps $(FYNE_TOOL)
	sed 's#Icon = "assets/icon.png"#Icon = "../../assets/icon.png"#' FyneApp.toml > cmd/popvault/FyneApp.toml
	cd cmd/popvault && $(FYNE_TOOL) package --os linux --release; status=$$?; rm -f FyneApp.toml; exit $$status
	mkdir -p dist && mv cmd/popvault/popvault.tar.xz dist/
	@echo "dist/popvault.tar.xz"

$(FYNE_TOOL):
	GOBIN=$(CURDIR)/.tools go install fyne.io/tools/cmd/fyne@v1.7.4

# install puts popvault in ~/.local for the current user, so that it shows
# in the desktop's launcher; uninstall takes it out again.
install: package
	rm -rf dist/unpacked && mkdir -p dist/unpacked && tar -xJf dist/popvault.tar.xz -C dist/unpacked
	$(MAKE) -C dist/unpacked/popvault user-install
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
# goroutine to race with.
test: deps check
	go test -race -count=1 -timeout 30m ./...

# check fails on unformatted code, vet findings or staticcheck findings.
check:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

# bench: the Go benchmarks, then popvault against mpop and fetchmail.
bench: deps
	go test -run XXX -bench . -benchtime 3x ./fetch/pop3/
	go test -run XXX -bench . -benchtime 1x -timeout 60m ./archive/
	go test -run XXX -bench Download1000 -benchtime 3x ./fetch/
	go run ./internal/peerbench -messages 1000 -kept 10000 -runs 3

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
