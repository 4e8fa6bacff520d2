// Package release holds the tests of what make release builds, run by
// make test like every other: the Windows zip, whose command line and
// window are used under Wine on this Linux machine (tools/wine), and
// the Debian package, installed with apt-get, used, and removed again.
// It has no code of its own.
package release
