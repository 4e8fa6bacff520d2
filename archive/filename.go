package archive

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeFileName makes a sender-chosen name (an attachment's, a subject
// for .eml) into one file name that means what it shows on every system,
// or returns fallback when nothing is left:
//   - no folder: "../../x" is "x", "C:\x\y" is "y";
//   - no control or Unicode format character: a right-to-left override
//     makes "invoice\u202Efdp.exe" look like "invoiceexe.pdf";
//   - no character Windows forbids (<>:"|?* and, on NTFS, ':' opens a
//     stream), no leading dot (a hidden file), no trailing dot or space
//     (Windows drops them), and no device name (CON, NUL, COM1, ... with
//     any extension);
//   - at most 200 bytes, keeping the extension.
func SafeFileName(name, fallback string) string {
	name = clean(name)
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" || name == "/" {
		return fallback
	}
	if isDeviceName(name) {
		name = "_" + name
	}
	if len(name) > 200 {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		cut := 200 - len(ext)
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = strings.TrimRight(name[:cut], ". ") + ext
	}
	return name
}

// isDeviceName reports a name Windows takes for a device, whatever its
// extension: "nul.txt" opens NUL.
func isDeviceName(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) == 4 && (strings.HasPrefix(stem, "COM") || strings.HasPrefix(stem, "LPT")) {
		c := stem[3]
		return c >= '0' && c <= '9'
	}
	// COM¹, COM², COM³ are devices too.
	for _, p := range []string{"COM", "LPT"} {
		if rest, ok := strings.CutPrefix(stem, p); ok && (rest == "¹" || rest == "²" || rest == "³") {
			return true
		}
	}
	return false
}
