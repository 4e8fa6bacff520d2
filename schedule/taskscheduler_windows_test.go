package schedule

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/windows/registry"
)

// underWine: Wine keeps its settings under HKCU\Software\Wine.
func underWine() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Wine`, registry.READ)
	if err == nil {
		k.Close()
	}
	return err == nil
}

// The real schtasks creates and deletes the task. Windows reads it back
// too; Wine's schtasks has no /Query (it prints nothing), so there the
// test looks for the file Wine's Task Scheduler keeps for a task.
func TestTaskSchedulerReal(t *testing.T) {
	ctx := context.Background()
	archive := filepath.Join(t.TempDir(), "popvault test archive.db")
	s := New(Options{})
	exe := `C:\Program Files\popvault test\popvault.exe`
	if _, err := s.Install(ctx, Spec{Exe: exe, Archive: archive, Every: 90 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	name := Name(archive)
	stored := filepath.Join(os.Getenv("SystemRoot"), "System32", "Tasks", name)
	if underWine() {
		if _, err := os.Stat(stored); err != nil {
			t.Errorf("Wine's Task Scheduler holds no task %s: %v", name, err)
		}
	} else {
		job, err := s.Status(ctx, archive)
		if err != nil {
			t.Fatal(err)
		}
		if job.Every != 90*time.Minute || !slices.Equal(job.Command, []string{exe, "--archive", archive, "fetch", "--quiet"}) {
			t.Errorf("read back: %+v", job)
		}
	}
	if err := s.Remove(ctx, archive); err != nil {
		t.Fatal(err)
	}
	if underWine() {
		if _, err := os.Stat(stored); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the task is still there after Remove: %v", err)
		}
	} else if _, err := s.Status(ctx, archive); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("status after Remove: %v", err)
	}
}
