//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// inNamespace runs the test named inner, of this test binary, again inside
// a user and mount namespace of its own, where it is root of nothing but
// its own mounts: it may mount a tmpfs without being root. env is added to
// the inner test's environment. Where the kernel refuses such a namespace
// to an ordinary user, the test fails and says how to allow it.
func inNamespace(t *testing.T, inner string, env ...string) {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^"+inner+"$", "-test.count=1", "-test.v")
	c.Env = append(os.Environ(), append(env, "POPVAULT_TEST_BINARY="+binary, "POPVAULT_IN_NAMESPACE=1")...)
	c.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := c.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("this kernel refuses a user namespace to this user (%v), which %s needs to mount a small filesystem without root. "+
			"Allow one: sysctl kernel.unprivileged_userns_clone=1 (Debian), user.max_user_namespaces=10000, "+
			"or on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0", err, t.Name())
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+inner) {
		t.Fatalf("%s, inside its namespace: %v\n%s", inner, err, out)
	}
}

// mountTmpfs mounts a tmpfs of size (as mount's "size=30m") at dir, in
// the namespace, until the test ends.
func mountTmpfs(t *testing.T, dir, size string) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mount a tmpfs at %s in the namespace: %v", dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
}
