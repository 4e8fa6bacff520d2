package cli

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The manual page and bash's completion are made from the usage text, so
// that what popvault --help says, what man popvault says and what Tab
// offers cannot drift apart. The .deb installs both (make deb).

// usageForDocs is the usage with the archive's place said for any user,
// not the one who built the package.
var usageForDocs = fmt.Sprintf(usage, "$XDG_DATA_HOME/popvault/archive.db (~/.local/share/popvault/archive.db)")

// command is one command of the usage text with the flags its lines name.
type command struct {
	name  string   // "fetch", "account add"
	args  []string // words it takes as they are: "bash" for completion
	flags []string // "--account", ...
}

var (
	flagRE    = regexp.MustCompile(`--[a-z][a-z-]*`)
	choiceRE  = regexp.MustCompile(`(--[a-z][a-z-]*)[ =]([a-z0-9]+(?:\|[a-z0-9]+)+)`)
	valueRE   = regexp.MustCompile(`(--[a-z][a-z-]*)[ =]\[?([A-Z]|[a-z0-9]+\||[0-9])`)
	fileArgRE = regexp.MustCompile(`(--[a-z][a-z-]*) (PATH|PEM|JSON)\b`)
)

// commands reads the commands and their flags off the usage text: a line
// indented by two spaces starts a command (its words up to the first
// argument or flag, and before two spaces open the description), deeper
// lines continue it. Only account has commands of its own; another
// command's further words are arguments it takes as they are.
func commands(text string) []command {
	_, body, _ := strings.Cut(text, "\nCommands:\n")
	body, _, _ = strings.Cut(body, "\n\n")
	var cmds []command
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
			synopsis, _, _ := strings.Cut(line[2:], "  ")
			var words []string
			for _, w := range strings.Fields(synopsis) {
				if strings.ToLower(w) != w || strings.ContainsAny(w, "-[") {
					break
				}
				words = append(words, w)
			}
			c := command{name: strings.Join(words, " ")}
			if len(words) > 1 && words[0] != "account" {
				c = command{name: words[0], args: words[1:]}
			}
			if len(cmds) == 0 || cmds[len(cmds)-1].name != c.name {
				cmds = append(cmds, c)
			}
		}
		if len(cmds) > 0 {
			c := &cmds[len(cmds)-1]
			if _, other, ok := strings.Cut(line, "any flag of "); ok {
				for _, o := range cmds {
					if strings.HasPrefix(other, o.name+"]") {
						c.flags = append(c.flags, o.flags...)
					}
				}
			}
			for _, f := range flagRE.FindAllString(line, -1) {
				if !slices.Contains(c.flags, f) {
					c.flags = append(c.flags, f)
				}
			}
		}
	}
	for i := range cmds {
		cmds[i].flags = append(cmds[i].flags, "--archive", "--help")
	}
	return cmds
}

// manPage is the usage text as a manual page in roff (man(7)).
func manPage(text, version string, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH POPVAULT 1 %q %q \"User Commands\"\n", date.Format("2006-01-02"), version)
	summary, rest, _ := strings.Cut(text, "\n\n")
	b.WriteString(".SH NAME\npopvault \\- " + roff(strings.TrimPrefix(strings.TrimSuffix(summary, "."), "popvault ")) + "\n")
	for _, part := range strings.Split(strings.TrimSpace(rest), "\n\n") {
		head, body, isSection := strings.Cut(part, "\n")
		if isSection && strings.HasSuffix(head, ":") && !strings.HasPrefix(head, " ") {
			name := strings.ToUpper(strings.TrimSuffix(head, ":"))
			if name == "USAGE" {
				name = "SYNOPSIS"
			}
			b.WriteString(".SH " + name + "\n")
			part = body
		} else if !strings.HasPrefix(part, " ") {
			b.WriteString(".PP\n")
		}
		b.WriteString(".nf\n" + roff(part) + "\n.fi\n")
	}
	b.WriteString(".SH FILES\n.TP\n$XDG_CONFIG_HOME/popvault (~/.config/popvault)\n" +
		"token commands, and passwords where no keyring answers\n" +
		".SH SEE ALSO\nmpop(1), fetchmail(1), mbsync(1)\n")
	return b.String()
}

// roff escapes text for roff: backslashes, hyphens (so that flags copy as
// ASCII), and lines that would begin with a control character.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// bashCompletion is a bash completion script for the commands and flags
// of the usage text: command names, each command's flags, the choices of
// flags like --format, and file names where a flag takes a path.
func bashCompletion(text string) string {
	cmds := commands(text)
	choices := map[string][]string{}
	for _, m := range choiceRE.FindAllStringSubmatch(text, -1) {
		for _, v := range strings.Split(m[2], "|") {
			if !slices.Contains(choices[m[1]], v) {
				choices[m[1]] = append(choices[m[1]], v)
			}
		}
	}
	valued := map[string]bool{"--archive": true}
	for _, m := range valueRE.FindAllStringSubmatch(text, -1) {
		valued[m[1]] = true
	}
	files := map[string]bool{"--archive": true}
	for _, m := range fileArgRE.FindAllStringSubmatch(text, -1) {
		files[m[1]] = true
	}

	var b strings.Builder
	b.WriteString("# bash completion for popvault, made by \"popvault completion bash\" from its usage text.\n")
	b.WriteString("_popvault() {\n")
	b.WriteString("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i w\n")
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("        w=${COMP_WORDS[i]}\n")
	b.WriteString("        case $w in\n")
	fmt.Fprintf(&b, "        %s) ((i++)) ;;\n", strings.Join(slices.Sorted(maps.Keys(valued)), "|"))
	b.WriteString("        -*) ;;\n")
	b.WriteString("        *) if [[ $cmd == account ]]; then cmd=\"account $w\"; break; fi\n")
	b.WriteString("           [[ -n $cmd ]] && break; cmd=$w; [[ $cmd == account ]] || break ;;\n")
	b.WriteString("        esac\n")
	b.WriteString("    done\n")
	b.WriteString("    case $prev in\n")
	for _, f := range slices.Sorted(maps.Keys(choices)) {
		fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f, strings.Join(choices[f], " "))
	}
	fmt.Fprintf(&b, "    %s) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(slices.Sorted(maps.Keys(files)), "|"))
	var other []string
	for f := range valued {
		if choices[f] == nil && !files[f] {
			other = append(other, f)
		}
	}
	slices.Sort(other)
	fmt.Fprintf(&b, "    %s) return ;;\n", strings.Join(other, "|"))
	b.WriteString("    esac\n")
	b.WriteString("    case $cmd in\n")
	var top, sub []string
	for _, c := range cmds {
		first, second, nested := strings.Cut(c.name, " ")
		if !slices.Contains(top, first) {
			top = append(top, first)
		}
		if nested {
			sub = append(sub, second)
		}
		fmt.Fprintf(&b, "    %q) COMPREPLY=($(compgen -W %q -- \"$cur\"))", c.name, strings.Join(append(c.args, c.flags...), " "))
		if c.name == "import" {
			b.WriteString("\n        [[ $cur == -* ]] || { compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); }")
		}
		b.WriteString(" ;;\n")
	}
	fmt.Fprintf(&b, "    account) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(sub, " "))
	top = append(top, "help", "version", "--archive", "--demo", "--version", "--help")
	fmt.Fprintf(&b, "    *) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(top, " "))
	b.WriteString("    esac\n")
	b.WriteString("}\n")
	b.WriteString("complete -F _popvault popvault\n")
	return b.String()
}

// completionCmd prints a shell's completion script: bash's only.
func (c *session) completionCmd(args []string) error {
	if len(args) != 1 || args[0] != "bash" {
		return fmt.Errorf("completion takes one shell: bash")
	}
	fmt.Fprint(c.rawStdout, bashCompletion(usageForDocs))
	return nil
}

// manPageCmd prints the manual page.
func (c *session) manPageCmd(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("manpage takes no arguments")
	}
	date := time.Now()
	if sec, err := strconv.ParseInt(c.env.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		date = time.Unix(sec, 0) // a reproducible build's date: the commit's
	}
	fmt.Fprint(c.rawStdout, manPage(usageForDocs, strings.TrimPrefix(c.versionLine(), "popvault "), date.UTC()))
	return nil
}
