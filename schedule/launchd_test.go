package schedule

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"howett.net/plist"
)

// The LaunchAgent: an XML property list of the DTD's shape, with the
// label, the program and its arguments as separate strings (no shell),
// the interval in seconds, not run at load, in the background, with the
// environment; loaded with launchctl bootstrap into the user's GUI
// domain, and read back.
func TestLaunchAgent(t *testing.T) {
	agents := t.TempDir()
	rec := &recorder{t: t, answer: func(line string, _ []byte) reply {
		if strings.HasPrefix(line, "launchctl print") {
			return reply{stdout: "gui/501/io.popvault.popvault-fetch = {\n\tactive count = 0\n\tlast exit code = 1\n}\n"}
		}
		return reply{}
	}}
	s := New(Options{Runner: rec, OS: "darwin", AgentDir: agents})
	exe := "/Applications/popvault.app/Contents/MacOS/popvault"
	archive := "/Users/a/Mail & <old>/archive.db"
	env := []string{"XDG_CONFIG_HOME=/Users/a/conf"}
	job, err := s.Install(context.Background(), Spec{Exe: exe, Archive: archive, Every: 45 * time.Minute, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	label := "io.popvault." + Name(archive)
	path := filepath.Join(agents, label+".plist")
	gui := "gui/" + strconv.Itoa(os.Getuid())
	sameCalls(t, rec.calls, []string{
		"launchctl bootout " + gui + "/" + label,
		"launchctl bootstrap " + gui + " " + path,
		"launchctl print " + gui + "/" + label,
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The DTD's shape: <plist version="1.0"><dict> of <key> and values.
	var shape struct {
		XMLName xml.Name
		Version string `xml:"version,attr"`
		Dict    struct {
			Keys []string `xml:"key"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal(b, &shape); err != nil || shape.XMLName.Local != "plist" || shape.Version != "1.0" {
		t.Fatalf("not a property list (%v):\n%s", err, b)
	}
	if !bytes.Contains(b, []byte(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`)) {
		t.Errorf("no doctype:\n%s", b)
	}
	var got map[string]any
	if _, err := plist.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	args, _ := got["ProgramArguments"].([]any)
	var argv []string
	for _, a := range args {
		argv = append(argv, a.(string))
	}
	want := []string{exe, "--archive", archive, "fetch", "--quiet"}
	if got["Label"] != label || !slices.Equal(argv, want) || got["StartInterval"] != uint64(2700) ||
		got["RunAtLoad"] != false || got["ProcessType"] != "Background" {
		t.Errorf("property list:\n%s", b)
	}
	if e, _ := got["EnvironmentVariables"].(map[string]any); e["XDG_CONFIG_HOME"] != "/Users/a/conf" {
		t.Errorf("environment: %v", got["EnvironmentVariables"])
	}
	if job.Mechanism != Launchd || job.Every != 45*time.Minute || !slices.Equal(job.Command, want) || !slices.Equal(job.Env, env) ||
		job.LastRun == nil || job.LastRun.OK || job.LastRun.Status != 1 {
		t.Errorf("job: %+v, last run %+v", job, job.LastRun)
	}

	rec.calls = nil
	if err := s.Remove(context.Background(), archive); err != nil {
		t.Fatal(err)
	}
	sameCalls(t, rec.calls, []string{"launchctl bootout " + gui + "/" + label})
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the agent is still there: %v", err)
	}
	if err := s.Remove(context.Background(), archive); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("removing again: %v", err)
	}
}
