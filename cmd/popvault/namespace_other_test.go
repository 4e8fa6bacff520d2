//go:build !linux

package main

import "testing"

// inNamespace needs Linux's user and mount namespaces
// (namespace_linux_test.go); the tests that use it run on Linux only.
func inNamespace(t *testing.T, inner string, env ...string) {
	t.Fatalf("%s needs Linux's user namespaces", inner)
}

// mountTmpfs likewise.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Fatal("mounting a tmpfs needs Linux")
}
