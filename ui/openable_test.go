package ui

import (
	"strings"
	"testing"

	"popvault/archive"
)

// TestMayOpen: documents and media are opened when their content type
// agrees with their name or makes no claim; everything else is saved
// only, with a sentence saying why, whatever case or disguise its name
// takes.
func TestMayOpen(t *testing.T) {
	for _, c := range []struct {
		name, ctype string
		open        bool
		why         string // a part of the sentence, for what is not opened
	}{
		{"invoice.pdf", "application/pdf", true, ""},
		{"Invoice.PDF", "application/PDF; name=Invoice.PDF", true, ""},
		{"invoice.pdf", "application/octet-stream", true, ""},
		{"invoice.pdf", "", true, ""},
		{"photo.jpg", "image/jpeg", true, ""},
		{"photo.jpeg", "image/pjpeg", true, ""},
		{"notes.txt", "text/plain", true, ""},
		{"figures.csv", "text/csv", true, ""},
		{"report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true, ""},
		{"song.mp3", "audio/mpeg", true, ""},
		{"film.mp4", "video/mp4", true, ""},
		// Names and types that disagree.
		{"invoice.pdf", "application/x-msdownload", false, "sent as application/x-msdownload"},
		{"photo.jpg", "text/html", false, "sent as text/html"},
		{"notes.txt", "application/x-sh", false, "sent as application/x-sh"},
		// What Windows runs or mounts on a double-click, and macOS too.
		{"setup.exe", "application/octet-stream", false, "none it knows"},
		{"help.chm", "application/vnd.ms-htmlhelp", false, "none it knows"},
		{"x.pif", "", false, "none it knows"},
		{"console.msc", "", false, "none it knows"},
		{"link.url", "", false, "none it knows"},
		{"explorer.scf", "", false, "none it knows"},
		{"driver.inf", "", false, "none it knows"},
		{"scriptlet.sct", "", false, "none it knows"},
		{"host.wsh", "", false, "none it knows"},
		{"app.appref-ms", "", false, "none it knows"},
		{"settings.settingcontent-ms", "", false, "none it knows"},
		{"disk.iso", "application/x-iso9660-image", false, "none it knows"},
		{"disk.img", "", false, "none it knows"},
		{"disk.vhd", "", false, "none it knows"},
		{"addin.xll", "", false, "none it knows"},
		{"run.command", "", false, "none it knows"},
		{"shell.terminal", "", false, "none it knows"},
		{"installer.pkg", "", false, "none it knows"},
		{"installer.dmg", "", false, "none it knows"},
		{"run.sh", "application/x-sh", false, "none it knows"},
		{"script.js", "text/javascript", false, "none it knows"},
		{"page.html", "text/html", false, "none it knows"},
		{"drawing.svg", "image/svg+xml", false, "none it knows"},
		{"photos.zip", "application/zip", false, "none it knows"},
		{"budget.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12", false, "none it knows"},
		{"letter.rtf", "application/rtf", false, "none it knows"},
		// Disguises in the name.
		{"invoice.pdf.exe", "application/pdf", false, "none it knows"},
		{"invoice.exe.", "", false, "none it knows"},
		{"invoice.pdf ", "", false, "none it knows"},
		{"README", "text/plain", false, "none it knows"},
	} {
		ok, why := mayOpen(archive.Attachment{Name: c.name, ContentType: c.ctype})
		if ok != c.open {
			t.Errorf("%q sent as %q: opened %v, want %v", c.name, c.ctype, ok, c.open)
		}
		if !c.open && (!strings.Contains(why, c.name) || !strings.Contains(why, c.why)) {
			t.Errorf("%q sent as %q: the reason given is %q, want it to name the file and say %q", c.name, c.ctype, why, c.why)
		}
		if c.open && why != "" {
			t.Errorf("%q: opened, with a reason %q", c.name, why)
		}
	}
}
