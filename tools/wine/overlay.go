package wine

import (
	"encoding/json"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Overlay writes into dir a copy of Go's internal/syscall/windows/
// at_windows.go that works under Wine 8.0, and a file for go build's
// -overlay naming it, and returns that file's path.
//
// Go deletes files (os.RemoveAll, and so every test's t.TempDir) with
// FileDispositionInformationEx, and falls back to the older call where
// Windows says it lacks it (STATUS_INVALID_INFO_CLASS and two more). Wine
// 8.0 lacks it too but answers STATUS_NOT_IMPLEMENTED, which Go takes for
// a failure ("Invalid function"). The copy adds that status to the list.
// It is for test binaries run under Wine only: popvault.exe is built from
// Go unchanged, and Windows (10 since 1607) has the call.
func Overlay(dir string) (string, error) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", err
	}
	orig := filepath.Join(strings.TrimSpace(string(goroot)), "src", "internal", "syscall", "windows", "at_windows.go")
	src, err := os.ReadFile(orig)
	if err != nil {
		return "", err
	}
	const anchor = "STATUS_NOT_SUPPORTED:"
	if strings.Count(string(src), anchor) != 1 {
		return "", errors.New("wine: " + orig + " has changed: look again at its fallback for FileDispositionInformationEx")
	}
	patched, err := format.Source([]byte(strings.Replace(string(src), anchor, "STATUS_NOT_SUPPORTED, NTStatus(0xC0000002):", 1)))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	copyPath := filepath.Join(dir, "at_windows.go")
	if err := os.WriteFile(copyPath, patched, 0o644); err != nil {
		return "", err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {orig: copyPath}})
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, overlay, 0o644)
}
