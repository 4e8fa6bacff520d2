package schedule

import (
	"strings"
	"testing"
	"time"
)

// A crontab as people write them: comments, variables, blank lines, a
// job, and a last line with or without its newline.
const someoneElses = "# m h dom mon dow command\nMAILTO=me@example.org\nSHELL=/bin/bash\n\n" +
	"0 3 * * * /usr/local/bin/backup --all  # nightly\n@reboot   echo 'hi %there'\n"

// popvault's lines go in at the end, or in place of its earlier ones,
// and come out leaving every other byte as it was.
func TestCrontabSplice(t *testing.T) {
	sp := Spec{Exe: "/usr/bin/popvault", Every: time.Hour}
	block := cronBlock(sp, "popvault-fetch", 60, slot{minute: 7})
	other := Spec{Exe: "/usr/bin/popvault", Archive: "/home/a/other mail.db", Every: 15 * time.Minute}
	otherBlock := cronBlock(other, Name(other.Archive), 15, slot{minute: 3})
	cases := map[string]struct {
		tab, want string // want: after spliceIn
	}{
		"no crontab":            {tab: "", want: string(block)},
		"someone else's":        {tab: someoneElses, want: someoneElses + string(block)},
		"no newline at the end": {tab: strings.TrimSuffix(someoneElses, "\n"), want: someoneElses + string(block)},
		"only blank lines":      {tab: "\n\n", want: "\n\n" + string(block)},
		"already there, in the middle": {tab: "A=1\n# popvault-fetch: old words\n*/5 * * * * /old/popvault fetch --quiet\nB=2\n",
			want: "A=1\n" + string(block) + "B=2\n"},
		"another archive's is kept": {tab: someoneElses + string(otherBlock), want: someoneElses + string(otherBlock) + string(block)},
		"marker without its job line": {tab: "A=1\n# popvault-fetch: old words\n# a comment of someone's\n",
			want: "A=1\n" + string(block) + "# a comment of someone's\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := spliceIn([]byte(c.tab), "popvault-fetch", block)
			if string(got) != c.want {
				t.Fatalf("in:\n%s\nwant:\n%s", got, c.want)
			}
			out, found := spliceOut(got, "popvault-fetch")
			if !found {
				t.Fatal("spliceOut did not find popvault's lines")
			}
			want := strings.Replace(c.want, string(block), "", 1)
			if string(out) != want {
				t.Fatalf("out:\n%q\nwant:\n%q", out, want)
			}
		})
	}
	if _, found := spliceOut([]byte(someoneElses+string(otherBlock)), "popvault-fetch"); found {
		t.Error("popvault-fetch found in a crontab holding only another archive's job")
	}
}

// The job line reads back to what was written: interval, command and
// environment, whatever the paths hold.
func TestCronLineReadsBack(t *testing.T) {
	for _, step := range calendarSteps {
		for _, minute := range []int{0, step - 1, 59 % step} {
			at := slot{minute: minute % 60, hour: (minute / 2) % max(1, step/60)}
			if got := cronEvery(strings.Fields(cronSpec(step, at))); got != time.Duration(step)*time.Minute {
				t.Errorf("%q reads back as every %v, want %d minutes", cronSpec(step, at), got, step)
			}
		}
	}
	for _, not := range []string{"*/7 * * * *", "0 0 1 * *", "5,35 * * * *", "0 */5 * * *", "0 9-17 * * 1-5"} {
		if got := cronEvery(strings.Fields(not)); got != 0 {
			t.Errorf("%q reads as every %v: not a schedule popvault writes", not, got)
		}
	}
}
