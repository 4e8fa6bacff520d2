package cli

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tab in bash offers what the usage text says: commands, account's
// commands, each command's flags, a flag's choices, files where a flag
// takes a path, and nothing where a flag takes free text.
func TestBashCompletion(t *testing.T) {
	script := bashCompletion(usageForDocs)
	dir := t.TempDir()
	tests := []struct {
		line        string // the words typed, the last one being completed
		want, not   []string
		wantExactly bool
	}{
		{line: "popvault ", want: []string{"account", "fetch", "restore", "completion", "--archive"}},
		{line: "popvault fe", want: []string{"fetch"}, wantExactly: true},
		{line: "popvault account ", want: []string{"add", "edit", "signin", "deliver", "list", "remove"}, wantExactly: true},
		{line: "popvault account add --", want: []string{"--name", "--host", "--security", "--password-stdin", "--oauth"}, not: []string{"--raw"}},
		{line: "popvault account edit --as", want: []string{"--ask-password"}, wantExactly: true},
		{line: "popvault account edit --ho", want: []string{"--host"}, wantExactly: true}, // any flag of account add
		{line: "popvault --archive x.db fetch --", want: []string{"--account", "--quiet", "--debug"}, not: []string{"--format"}},
		{line: "popvault export --format ", want: []string{"mbox", "maildir", "eml"}, wantExactly: true},
		{line: "popvault restore --security ", want: []string{"tls", "starttls", "plain"}, wantExactly: true},
		{line: "popvault export --out " + dir[:len(dir)-2], want: []string{dir}},
		{line: "popvault list --search ", wantExactly: true},
		{line: "popvault completion ", want: []string{"bash"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Split(tt.line, " ")
			quoted := make([]string, len(words))
			for i, w := range words {
				quoted[i] = "'" + w + "'"
			}
			prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
				strconv.Itoa(len(words)-1) + "\n_popvault\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			out, err := exec.Command("bash", "--norc", "-c", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := strings.Fields(string(out))
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("offers %q, not %q", got, w)
				}
			}
			for _, w := range tt.not {
				if slices.Contains(got, w) {
					t.Errorf("offers %q, which has %q", got, w)
				}
			}
			if tt.wantExactly && len(got) != len(tt.want) {
				t.Errorf("offers %q, want exactly %q", got, tt.want)
			}
		})
	}
}

// The manual page holds every line of the usage text, escaped so that
// roff reads none of it as a request, and is dated by SOURCE_DATE_EPOCH.
func TestManPage(t *testing.T) {
	page := manPage(usageForDocs, "1.2.3", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	if !strings.HasPrefix(page, `.TH POPVAULT 1 "2026-01-02" "1.2.3" "User Commands"`) {
		t.Fatalf("header: %.80q", page)
	}
	unescaped := strings.NewReplacer(`\-`, "-", `\e`, `\`, `\&`, "").Replace(page)
	for _, line := range strings.Split(usageForDocs, "\n")[1:] { // the first is NAME's
		if line = strings.TrimSpace(line); line != "" && !strings.HasSuffix(line, ":") && !strings.Contains(unescaped, line) {
			t.Errorf("the manual page lacks %q", line)
		}
	}
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			macro, _, _ := strings.Cut(line, " ")
			if !slices.Contains([]string{".TH", ".SH", ".PP", ".nf", ".fi", ".TP"}, macro) {
				t.Errorf("a line roff would take as a request: %q", line)
			}
		}
		if strings.Contains(strings.ReplaceAll(line, `\-`, ""), "-") && !strings.HasPrefix(line, ".") {
			t.Errorf("an unescaped hyphen: %q", line)
		}
	}
	// A line that would begin with a request (a dot or a quote) is
	// escaped, wherever the usage text may one day have one.
	if got := roff(".nf here\n'tr x\nplain"); got != `\&.nf here`+"\n"+`\&'tr x`+"\nplain" {
		t.Errorf("roff escapes requests as %q", got)
	}
	for _, section := range []string{".SH NAME\npopvault \\- downloads POP3 mail", ".SH SYNOPSIS\n", ".SH COMMANDS\n", ".SH FILES\n"} {
		if !strings.Contains(page, section) {
			t.Errorf("no %q", section)
		}
	}
}
