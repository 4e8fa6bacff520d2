package main

import (
	"io"
	"os"
	"testing"
)

// insideNamespace reports whether this is the inner half of inNamespace;
// the inner test skips itself when run on its own.
func insideNamespace(t *testing.T) bool {
	if os.Getenv("POPVAULT_IN_NAMESPACE") == "" {
		t.Skip("the inner half of another test: it runs inside that test's namespace")
	}
	return true
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
