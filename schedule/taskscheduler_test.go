package schedule

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
)

// The task's definition, as schtasks /Create /XML is given it: UTF-16
// with its byte-order mark, the Task Scheduler's schema, a repeating time
// trigger at the interval asked for (no rounding: it can), the current
// user only while logged on and without administrator rights, a missed
// run made up, and popvault.exe with its arguments quoted as Windows
// reads them.
func TestTaskDefinition(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 6, 45, 0, time.Local)
	var created []byte
	rec := &recorder{t: t, answer: func(line string, _ []byte) reply {
		if strings.HasPrefix(line, "schtasks /Create") {
			f := strings.Fields(line)
			i := slices.Index(f, "/XML")
			var err error
			if created, err = os.ReadFile(strings.Join(f[i+1:len(f)-1], " ")); err != nil {
				t.Errorf("the definition schtasks was given: %v", err)
			}
		}
		return reply{}
	}}
	s := New(Options{Runner: rec, OS: "windows", Now: func() time.Time { return now }})
	exe := `C:\Program Files\popvault\popvault.exe`
	archive := `D:\Mail "old" \ backups\archive.db`
	job, err := s.Install(context.Background(), Spec{Exe: exe, Archive: archive, Every: 45 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	name := Name(archive)
	if len(rec.calls) != 1 || !strings.HasPrefix(rec.calls[0], "schtasks /Create /TN "+name+" /XML ") || !strings.HasSuffix(rec.calls[0], " /F") {
		t.Fatalf("commands run: %q", rec.calls)
	}
	if !bytes.HasPrefix(created, []byte{0xff, 0xfe}) {
		t.Fatalf("the definition is not UTF-16 with its mark: % x", created[:min(8, len(created))])
	}
	doc, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(created)
	if err != nil {
		t.Fatal(err)
	}
	// Read with a schema-shaped struct of the test's own, by the
	// namespace-qualified names the Task Scheduler requires.
	var got struct {
		XMLName  xml.Name
		Version  string `xml:"version,attr"`
		Interval string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Triggers>TimeTrigger>Repetition>Interval"`
		Start    string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Triggers>TimeTrigger>StartBoundary"`
		Logon    string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Principals>Principal>LogonType"`
		UserID   string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Principals>Principal>UserId"`
		RunLevel string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Principals>Principal>RunLevel"`
		Missed   bool   `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Settings>StartWhenAvailable"`
		Battery  bool   `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Settings>DisallowStartIfOnBatteries"`
		Multiple string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Settings>MultipleInstancesPolicy"`
		Command  string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Actions>Exec>Command"`
		Args     string `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Actions>Exec>Arguments"`
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if label != "UTF-16" {
			t.Errorf("declared encoding %q", label)
		}
		return r, nil
	}
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	if got.XMLName != (xml.Name{Space: taskNamespace, Local: "Task"}) || got.Version != "1.2" {
		t.Errorf("root element %v version %q", got.XMLName, got.Version)
	}
	if got.Interval != "PT45M" || got.Start != "2026-12-02T08:07:00" {
		t.Errorf("trigger: every %q from %q", got.Interval, got.Start)
	}
	if got.Logon != "InteractiveToken" || got.UserID != "" || got.RunLevel != "LeastPrivilege" {
		t.Errorf("principal: %q %q %q", got.Logon, got.UserID, got.RunLevel)
	}
	if !got.Missed || got.Battery || got.Multiple != "IgnoreNew" {
		t.Errorf("settings: made up %v, not on battery %v, instances %q", got.Missed, got.Battery, got.Multiple)
	}
	if got.Command != exe || !slices.Equal(windowsSplit(got.Args), []string{"--archive", archive, "fetch", "--quiet"}) {
		t.Errorf("action: %q %q", got.Command, got.Args)
	}
	if job.Mechanism != TaskScheduler || job.Every != 45*time.Minute || !slices.Equal(job.Command, []string{exe, "--archive", archive, "fetch", "--quiet"}) {
		t.Errorf("job: %+v", job)
	}
	if _, err := os.Stat(strings.Fields(rec.calls[0])[5]); err == nil {
		t.Error("the definition's temporary file is left behind")
	}
}

// Status reads the definition schtasks prints (UTF-16 to a pipe) and the
// last run from its verbose CSV, by column, in the user's date format.
func TestTaskStatus(t *testing.T) {
	def := taskDefinition(Spec{Exe: `C:\popvault\popvault.exe`, Every: 2 * time.Hour}, time.Now())
	csvLine := `"PC","\popvault-fetch","12/2/2026 10:07:00 AM","Ready","Interactive only","12/2/2026 8:07:00 AM","1","alice","C:\popvault\popvault.exe fetch --quiet"` + "\r\n"
	rec := &recorder{t: t, answer: func(line string, _ []byte) reply {
		switch line {
		case "schtasks /Query /TN popvault-fetch /XML":
			return reply{stdout: string(def)}
		case "schtasks /Query /TN popvault-fetch /V /FO CSV /NH":
			return reply{stdout: csvLine}
		}
		return reply{stderr: "ERROR: The system cannot find the file specified.", fail: true}
	}}
	s := New(Options{Runner: rec, OS: "windows"})
	job, err := s.Status(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 2, 8, 7, 0, 0, time.Local)
	if job.Every != 2*time.Hour || job.LastRun == nil || !job.LastRun.At.Equal(want) || job.LastRun.OK || job.LastRun.Status != 1 {
		t.Errorf("status: %+v, last run %+v", job, job.LastRun)
	}
	if _, err := s.Status(context.Background(), `D:\other.db`); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("another archive's: %v", err)
	}
	// Wine's schtasks has no /Query: it prints nothing and exits 0.
	wine := New(Options{OS: "windows", Runner: &recorder{t: t}})
	if _, err := wine.Status(context.Background(), ""); err == nil || errors.Is(err, ErrNotInstalled) {
		t.Errorf("an empty answer: %v", err)
	}
}

func TestTaskLastRun(t *testing.T) {
	cases := map[string]struct {
		csv  string
		want *Run
	}{
		"United States, success": {`"PC","\t","N/A","Ready","Interactive only","12/2/2026 8:07:00 AM","0","a","x"`,
			&Run{At: time.Date(2026, 12, 2, 8, 7, 0, 0, time.Local), OK: true, Result: "0x0"}},
		"Germany, failed": {`"PC","\t","N/A","Bereit","Nur interaktiv","02.12.2026 08:07:00","1","a","x"`,
			&Run{At: time.Date(2026, 12, 2, 8, 7, 0, 0, time.Local), Result: "0x1", Status: 1}},
		"an unknown date format": {`"PC","\t","N/A","Ready","x","2026年12月2日 8:07:00","0","a","x"`, &Run{OK: true, Result: "0x0"}},
		"never ran":              {`"PC","\t","N/A","Ready","x","11/30/1999 12:00:00 AM","267011","a","x"`, nil},
		"not a listing":          {`INFO: nothing`, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := taskLastRun([]byte(c.csv + "\r\n"))
			if (got == nil) != (c.want == nil) || got != nil && (!got.At.Equal(c.want.At) || got.OK != c.want.OK || got.Result != c.want.Result || got.Status != c.want.Status) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// Remove deletes the task only where schtasks finds it.
func TestTaskRemove(t *testing.T) {
	rec := &recorder{t: t, answer: func(line string, _ []byte) reply {
		if strings.Contains(line, "popvault-fetch-") {
			return reply{stderr: "ERROR: The system cannot find the file specified.", fail: true}
		}
		return reply{}
	}}
	s := New(Options{Runner: rec, OS: "windows"})
	if err := s.Remove(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(context.Background(), `D:\other.db`); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("another archive's: %v", err)
	}
	sameCalls(t, rec.calls, []string{
		"schtasks /Query /TN popvault-fetch",
		"schtasks /Delete /TN popvault-fetch /F",
		"schtasks /Query /TN " + Name(`D:\other.db`),
	})
}
