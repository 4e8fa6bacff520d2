package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"popvault/archive"
)

// openable are the kinds of file popvault hands to the system to open:
// documents, pictures, sound and video that people mail each other, by
// extension, each with the content types that agree with it. Anything
// else is saved only. A list of what may be opened, not of what may not:
// the programs a double-click runs are too many to list (Windows alone
// runs .chm, .pif, .msc, .url, .scf, .inf, .sct, .wsh, .appref-ms,
// .settingcontent-ms, .xll, mounts .iso, .img and .vhd; macOS runs
// .command, .terminal, .pkg, .dmg), and new ones come.
//
// Left out on purpose: web pages and SVG (the browser runs their
// scripts), archives (Windows shows a .zip's programs as one double-click
// away), Office's macro formats (.docm, .xlsm...), RTF (a carrier of
// Office exploits for years), calendar and contact files, and mail.
var openable = map[string][]string{
	".pdf":  {"application/pdf", "application/x-pdf"},
	".txt":  {"text/plain"},
	".csv":  {"text/csv", "text/plain", "text/comma-separated-values", "application/csv", "application/vnd.ms-excel"},
	".jpg":  {"image/jpeg", "image/pjpeg"},
	".jpeg": {"image/jpeg", "image/pjpeg"},
	".png":  {"image/png"},
	".gif":  {"image/gif"},
	".webp": {"image/webp"},
	".bmp":  {"image/bmp", "image/x-bmp", "image/x-ms-bmp"},
	".tif":  {"image/tiff"},
	".tiff": {"image/tiff"},
	".heic": {"image/heic", "image/heif"},
	".heif": {"image/heif", "image/heic"},
	".mp3":  {"audio/mpeg", "audio/mp3"},
	".m4a":  {"audio/mp4", "audio/x-m4a", "audio/m4a"},
	".aac":  {"audio/aac", "audio/x-aac"},
	".ogg":  {"audio/ogg", "application/ogg", "video/ogg"},
	".oga":  {"audio/ogg"},
	".opus": {"audio/ogg", "audio/opus"},
	".wav":  {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
	".flac": {"audio/flac", "audio/x-flac"},
	".mp4":  {"video/mp4", "audio/mp4"},
	".m4v":  {"video/mp4", "video/x-m4v"},
	".mov":  {"video/quicktime"},
	".webm": {"video/webm", "audio/webm"},
	".mkv":  {"video/x-matroska"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	".doc":  {"application/msword"},
	".xls":  {"application/vnd.ms-excel"},
	".ppt":  {"application/vnd.ms-powerpoint"},
	".odt":  {"application/vnd.oasis.opendocument.text"},
	".ods":  {"application/vnd.oasis.opendocument.spreadsheet"},
	".odp":  {"application/vnd.oasis.opendocument.presentation"},
}

// noClaim are content types that say nothing of a file's kind: many mail
// programs send every attachment as one of these.
var noClaim = map[string]bool{"": true, "application/octet-stream": true, "binary/octet-stream": true}

// mayOpen says whether popvault opens an attachment with the system's
// program for its kind: its name's extension must be openable, and its
// content type agree with it or make no claim. If not, why says why, in
// a sentence for the person who asked.
func mayOpen(a archive.Attachment) (ok bool, why string) {
	ext := strings.ToLower(filepath.Ext(a.Name))
	types, known := openable[ext]
	if !known {
		return false, fmt.Sprintf("popvault opens only documents, pictures, sound and video. %s is none it knows, and a file of its kind may run a program when opened.", a.Name)
	}
	ctype, _, _ := strings.Cut(strings.ToLower(a.ContentType), ";")
	ctype = strings.TrimSpace(ctype)
	if noClaim[ctype] || slices.Contains(types, ctype) {
		return true, ""
	}
	return false, fmt.Sprintf("%s is named as a %s file but sent as %s: mail that disguises a file's kind may be trying to run a program.", a.Name, strings.ToUpper(ext[1:]), ctype)
}
