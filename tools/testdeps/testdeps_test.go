package testdeps

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// program is where a program comes from.
type program struct {
	apt      string // the package APT_PACKAGES must name; "" for what every machine has
	owner    string // the package dpkg says owns the file, when it differs from apt
	elsewhen string // run only on another system (macOS, Windows), never here
}

// programs maps every program popvault runs to its Debian package. A
// program missing here fails the test: add it, and its package to the
// Makefile's APT_PACKAGES.
var programs = map[string]program{
	"sh":                   {},            // essential: dash
	"bash":                 {},            // essential too; make deb installs its completion
	"dpkg-query":           {},            // essential: dpkg
	"go":                   {},            // the toolchain make test runs in
	"make":                 {},            // and the tool that runs it (tools/release runs its targets)
	"script":               {},            // essential: bsdutils (a terminal for popvault.exe under Wine)
	"dpkg-deb":             {},            // essential: dpkg
	"apt-get":              {apt: "apt"},  // tools/release installs and removes the .deb
	"sudo":                 {apt: "sudo"}, // the same, for users other than root (the README)
	"/usr/bin/popvault":    {},            // installed by tools/release itself, from the .deb it built
	"/usr/sbin/dovecot":    {apt: "dovecot-pop3d", owner: "dovecot-core"},
	"dbus-run-session":     {apt: "dbus-daemon"},
	"dbus-daemon":          {apt: "dbus-daemon"},
	"dbus-launch":          {apt: "dbus-x11"},
	"gnome-keyring-daemon": {apt: "gnome-keyring"},
	"Xvfb":                 {apt: "xvfb"},
	"import":               {apt: "imagemagick", owner: "imagemagick-6.q16"},
	"xdotool":              {apt: "xdotool"},
	"tmux":                 {apt: "tmux"},
	"python3":              {apt: "python3", owner: "python3-minimal"},
	"mutt":                 {apt: "mutt"},
	"notmuch":              {apt: "notmuch"},
	"mpop":                 {apt: "mpop"},
	"fetchmail":            {apt: "fetchmail"},
	"xdg-open":             {apt: "xdg-utils"},    // the command line's sign-in opens a browser
	"open":                 {elsewhen: "macOS"},   // the same, there
	"rundll32":             {elsewhen: "Windows"}, // and there
	"cmd":                  {elsewhen: "Windows"}, // token commands there
	"mbsync":               {apt: "isync"},        // make bench's peer for restores
	"chromium":             {apt: "chromium"},     // render's View in browser page, loaded headless
	// The release's tests: the Windows build under Wine, the .deb installed.
	"wine":                   {apt: "wine"},
	"desktop-file-validate":  {apt: "desktop-file-utils"},
	"wineboot":               {apt: "wine"},
	"wineserver":             {apt: "wine", owner: "libwine"},
	"x86_64-w64-mingw32-gcc": {apt: "gcc-mingw-w64-x86-64", owner: "gcc-mingw-w64-x86-64-win32"}, // Wine's missing DLL
	// schedule: the jobs the system runs, and their tests.
	"systemctl":       {apt: "systemd"},
	"systemd-analyze": {apt: "systemd"},
	"crontab":         {apt: "cron"},
	"schtasks":        {elsewhen: "Windows"},
	"launchctl":       {elsewhen: "macOS"},
	// notify: toasts, and macOS's fallback.
	"powershell": {elsewhen: "Windows"},
	"osascript":  {elsewhen: "macOS"},
}

// installed are files a test needs that it does not run itself, by the
// constant that names them: Dovecot runs its own IMAP server.
var installed = map[string]program{
	"/usr/lib/dovecot/imap": {apt: "dovecot-imapd"},
}

// opaque are the expressions that name a program only at run time: the
// binary a test built, or the test binary itself. Anything else a
// program's name cannot be read from fails the test.
var opaque = map[string]bool{
	"binary":     true, // cmd/popvault's tests: the popvault they built
	"e.binary":   true, // peerbench: the popvault it built
	"e.floor":    true, // and its floor command
	"os.Args[0]": true, // a test running itself again
	"command":    true, // a token command the user typed, run by sh
	"argv[0]":    true, // tools/release: the Exec line of the desktop entry the .deb installed
	"self":       true, // notify: popvault itself (Options.Exe), to wait for a click and to open the window
}

// shellKeywords come before a command, which is the next word.
var shellKeywords = map[string]bool{"exec": true, "{": true, "if": true, "then": true, "else": true, "elif": true,
	"while": true, "until": true, "do": true, "!": true}

// shellWords are shell builtins and syntax, not programs.
var shellWords = map[string]bool{"echo": true, "exec": true, "cd": true, "true": true, "false": true,
	"test": true, "[": true, "}": true, "set": true, "export": true, "read": true, "printf": true, "fi": true, "done": true}

func TestEveryProgramIsInstalledByMakeTest(t *testing.T) {
	root := filepath.Join("..", "..")
	apt := aptPackages(t, filepath.Join(root, "Makefile"))
	used, consts := scan(t, root)
	// A constant that names a file under /usr/lib is one a test needs
	// installed: it must be known, and its package installed, too.
	for name, value := range consts {
		if !strings.HasPrefix(value, "/usr/lib/") {
			continue
		}
		p, ok := installed[value]
		switch {
		case !ok:
			t.Errorf("the constant %s names %q, which this test does not know: add it to installed with its Debian package", name, value)
		case !apt[p.apt]:
			t.Errorf("%s (%s) comes from %s, which the Makefile's APT_PACKAGES does not install", name, value, p.apt)
		default:
			checkOwner(t, value, p)
		}
	}
	if len(used) == 0 {
		t.Fatal("found no program run anywhere: the scan is broken")
	}
	names := make([]string, 0, len(used))
	for name := range used {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		where := used[name]
		p, ok := programs[name]
		switch {
		case !ok:
			t.Errorf("%s runs %q, which this test does not know: add it to programs with its Debian package, and the package to APT_PACKAGES", where, name)
			continue
		case p.apt != "" && !apt[p.apt]:
			t.Errorf("%s runs %q, from the Debian package %s, which the Makefile's APT_PACKAGES does not install", where, name, p.apt)
		}
		checkOwner(t, name, p)
	}
	t.Logf("programs run: %s", strings.Join(names, ", "))
}

// checkOwner asks dpkg which package holds an installed program, so that
// the table above cannot drift from Debian's. A program that is not
// installed, or not from dpkg, is left to the Makefile check above.
func checkOwner(t *testing.T, name string, p program) {
	if p.apt == "" {
		return
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return
	}
	want := p.owner
	if want == "" {
		want = p.apt
	}
	candidates := []string{path}
	if real, err := filepath.EvalSymlinks(path); err == nil && real != path {
		candidates = append(candidates, real)
	}
	for _, c := range append([]string(nil), candidates...) {
		if strings.HasPrefix(c, "/usr/") { // merged /usr: dpkg may know it as /bin or /sbin
			candidates = append(candidates, strings.TrimPrefix(c, "/usr"))
		}
	}
	for _, c := range candidates {
		out, err := exec.Command("dpkg-query", "-S", c).Output()
		if err != nil {
			continue
		}
		owner, _, _ := strings.Cut(strings.TrimSpace(string(out)), ":")
		if owner != want {
			t.Errorf("%s is owned by the package %s, not %s as the table says", c, owner, want)
		}
		return
	}
}

// aptPackages reads APT_PACKAGES from the Makefile, continuation lines
// included.
func aptPackages(t *testing.T, makefile string) map[string]bool {
	b, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^APT_PACKAGES\s*:?=((?:.*\\\n)*.*)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no APT_PACKAGES")
	}
	out := map[string]bool{}
	for _, f := range strings.Fields(strings.ReplaceAll(string(m[1]), "\\\n", " ")) {
		out[f] = true
	}
	return out
}

// scan returns each program the module's Go files run, with one place
// that runs it.
func scan(t *testing.T, root string) (used, consts map[string]string) {
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "dist" || d.Name() == "testdata" || d.Name() == "testdeps") {
			return filepath.SkipDir // testdeps: this test, whose dpkg-query every Debian has
		}
		if d.IsDir() && path != root {
			// A module of its own (third_party's copies): make test
			// does not run its tests.
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &scanner{t: t, fset: fset, files: files, consts: constants(files), used: map[string]string{}}
	for _, f := range files {
		s.file(f)
	}
	return s.used, s.consts
}

type scanner struct {
	t      *testing.T
	fset   *token.FileSet
	files  []*ast.File
	consts map[string]string // "pkg.Name" → value, for package-level string constants
	used   map[string]string
}

// constants collects every package-level string constant by package name.
func constants(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := literal(vs.Values[i]); ok {
							out[f.Name.Name+"."+n.Name] = s
						}
					}
				}
			}
		}
	}
	return out
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// file finds the calls that run programs in one file.
func (s *scanner) file(f *ast.File) {
	execName := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"os/exec"` {
			execName = "exec"
			if imp.Name != nil {
				execName = imp.Name.Name
			}
		}
	}
	if execName == "" {
		return
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != execName {
			return true
		}
		arg := map[string]int{"Command": 0, "CommandContext": 1, "LookPath": 0}
		i, ok := arg[sel.Sel.Name]
		if !ok || len(call.Args) <= i {
			return true
		}
		where := s.fset.Position(call.Pos()).String()
		fn := enclosingFunc(stack)
		for _, name := range s.resolve(f, fn, call.Args[i], where) {
			s.record(name, where)
		}
		// "sh -c SCRIPT", alone or behind a wrapper such as dbus-run-session.
		args := call.Args[i:]
		for j := 0; j+2 < len(args); j++ {
			shell, _ := literal(args[j])
			flag, _ := literal(args[j+1])
			if (shell == "sh" || shell == "bash") && flag == "-c" {
				s.record(shell, where)
				for _, script := range s.resolve(f, fn, args[j+2], where) {
					for _, word := range scriptCommands(script) {
						s.record(word, where+" (in its shell script)")
					}
				}
			}
		}
		return true
	})
}

func (s *scanner) record(name, where string) {
	if _, ok := s.used[name]; !ok {
		s.used[name] = where
	}
}

func enclosingFunc(stack []ast.Node) *ast.FuncDecl {
	for i := len(stack) - 1; i >= 0; i-- {
		if fd, ok := stack[i].(*ast.FuncDecl); ok {
			return fd
		}
	}
	return nil
}

// resolve reads the string values an expression can have: a literal, a
// constant, a local variable set from a literal, or a parameter of the
// enclosing function, read at each of its call sites.
func (s *scanner) resolve(f *ast.File, fn *ast.FuncDecl, e ast.Expr, where string) []string {
	if v, ok := literal(e); ok {
		return []string{v}
	}
	text := exprString(e)
	if opaque[text] {
		return nil
	}
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if pkg, ok := x.X.(*ast.Ident); ok {
			if v, ok := s.consts[pkg.Name+"."+x.Sel.Name]; ok {
				return []string{v}
			}
		}
	case *ast.Ident:
		if v, ok := s.consts[f.Name.Name+"."+x.Name]; ok {
			return []string{v}
		}
		if x.Obj != nil {
			switch d := x.Obj.Decl.(type) {
			case *ast.AssignStmt:
				if vals := rangeValues(d); vals != nil {
					return vals
				}
				for i, lhs := range d.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name == x.Name && i < len(d.Rhs) {
						if v, ok := literal(d.Rhs[i]); ok {
							return []string{v}
						}
					}
				}
			case *ast.Field:
				if vals := s.callSites(f, fn, x.Name); vals != nil {
					return vals
				}
			}
		}
	}
	s.t.Errorf("%s runs a program named by %q, which this test cannot read: name it with a literal or a constant, or add it to opaque", where, text)
	return nil
}

// rangeValues reads the strings of `for _, name := range []string{...}`,
// which the parser keeps as an assignment from a range expression.
func rangeValues(d *ast.AssignStmt) []string {
	if len(d.Rhs) != 1 {
		return nil
	}
	r, ok := d.Rhs[0].(*ast.UnaryExpr)
	if !ok || r.Op != token.RANGE {
		return nil
	}
	lit, ok := r.X.(*ast.CompositeLit)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		v, ok := literal(el)
		if !ok {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// callSites reads the literal passed for parameter param of fn at each
// call of fn: in its package's files, and, where fn is exported, in any
// file as pkg.Fn (tools/xvfb's Run is called from other packages).
func (s *scanner) callSites(f *ast.File, fn *ast.FuncDecl, param string) []string {
	if fn == nil {
		return nil
	}
	idx, n := -1, 0
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			if name.Name == param {
				idx = n
			}
			n++
		}
	}
	if idx < 0 {
		return nil
	}
	dir := filepath.Dir(s.fset.Position(f.Pos()).Filename)
	var out []string
	for _, other := range s.files {
		samePackage := filepath.Dir(s.fset.Position(other.Pos()).Filename) == dir
		if !samePackage && !fn.Name.IsExported() {
			continue
		}
		ast.Inspect(other, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			calls := false
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				calls = samePackage && fun.Name == fn.Name.Name
			case *ast.SelectorExpr:
				pkg, ok := fun.X.(*ast.Ident)
				calls = !samePackage && ok && pkg.Name == f.Name.Name && fun.Sel.Name == fn.Name.Name
			}
			if calls && idx < len(call.Args) {
				v, ok := literal(call.Args[idx])
				if !ok {
					s.t.Errorf("%s: %s is called with a program named by %q, which this test cannot read",
						s.fset.Position(call.Pos()), fn.Name.Name, exprString(call.Args[idx]))
					return true
				}
				out = append(out, v)
			}
			return true
		})
	}
	if out == nil {
		return nil
	}
	return out
}

// scriptCommands returns the programs a shell script runs: the first
// word of each command, after variable assignments and "exec".
func scriptCommands(script string) []string {
	var out []string
	for _, cmd := range regexp.MustCompile(`&&|\|\||[;|\n]`).Split(script, -1) {
		for _, word := range strings.Fields(cmd) {
			if strings.Contains(word, "=") && !strings.HasPrefix(word, "-") {
				continue // an assignment before the command
			}
			if shellKeywords[word] {
				continue
			}
			if !strings.HasPrefix(word, "$") && !strings.HasPrefix(word, `"$`) && !shellWords[word] && !strings.HasPrefix(word, ">") {
				out = append(out, word)
			}
			break
		}
	}
	return out
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.IndexExpr:
		return exprString(x.X) + "[" + exprString(x.Index) + "]"
	case *ast.BasicLit:
		return x.Value
	}
	return "an expression"
}
