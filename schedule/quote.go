package schedule

import (
	"errors"
	"strings"
)

// errQuoting: a command line popvault did not write, which it cannot read.
var errQuoting = errors.New("schedule: unbalanced quotes in a job's command line")

// shQuote quotes s as one word for sh (cron runs its commands with sh).
func shQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shSplit splits an sh command line into words: quotes, backslashes and
// blanks, which is all shQuote writes (and what a person editing the line
// by hand most likely writes).
func shSplit(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errQuoting
			}
			w.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				w.WriteByte(line[i])
			}
			if i == len(line) {
				return nil, errQuoting
			}
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// cronEscape escapes what cron itself reads in a command: an unescaped %
// ends the command and starts its standard input.
func cronEscape(s string) string { return strings.ReplaceAll(s, "%", `\%`) }

func cronUnescape(s string) string { return strings.ReplaceAll(s, `\%`, "%") }

// systemdQuote quotes s as one word of ExecStart=: systemd reads C-style
// escapes in double quotes, "%" starts a specifier and "$" a variable.
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%", "$", "$$")
	return `"` + r.Replace(s) + `"`
}

// systemdEnvQuote quotes NAME=VALUE for Environment=, which reads
// specifiers but no variables.
func systemdEnvQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%")
	return `"` + r.Replace(s) + `"`
}

// systemdSplit splits an ExecStart= or Environment= value into words, as
// systemd does for what systemdQuote writes; dollars says whether "$$" is
// a dollar (ExecStart=) or two (Environment=).
func systemdSplit(value string, dollars bool) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord, quote := false, byte(0)
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case quote == 0 && (c == ' ' || c == '\t'):
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '"' || c == '\'':
			if quote == 0 {
				quote, inWord = c, true
			} else if quote == c {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\\' && i+1 < len(value):
			i++
			switch value[i] {
			case 'n':
				w.WriteByte('\n')
			case 't':
				w.WriteByte('\t')
			default:
				w.WriteByte(value[i])
			}
			inWord = true
		case c == '%' && i+1 < len(value) && value[i+1] == '%':
			i++
			w.WriteByte('%')
			inWord = true
		case dollars && c == '$' && i+1 < len(value) && value[i+1] == '$':
			i++
			w.WriteByte('$')
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errQuoting
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// windowsArg quotes s as one argument of a Windows command line, by the
// rules of CommandLineToArgvW and the C runtime (as Go's
// syscall.EscapeArg, which exists only on Windows).
func windowsArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}

// windowsSplit splits a command line's arguments as CommandLineToArgvW
// does (after the program name).
func windowsSplit(line string) []string {
	var args []string
	var w strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case !quoted && (c == ' ' || c == '\t'):
			if inWord {
				args = append(args, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\\':
			n := 0
			for i < len(line) && line[i] == '\\' {
				n++
				i++
			}
			if i < len(line) && line[i] == '"' {
				w.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					w.WriteByte('"')
				} else {
					quoted = !quoted
				}
			} else {
				w.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inWord = true
		case c == '"':
			if quoted && i+1 < len(line) && line[i+1] == '"' {
				w.WriteByte('"')
				i++
			} else {
				quoted = !quoted
			}
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		args = append(args, w.String())
	}
	return args
}
