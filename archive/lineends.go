package archive

import "bytes"

// A message stored with CRLF line ends arrives from a server that puts a
// CR before every LF it sends (Courier and popa3d do, for such a file)
// with every line ending CR CR LF. The archive keeps those bytes as they
// came; go-message reads the stray CR into each header line, and the
// blank line after the header is then no blank line, so nothing of the
// message could be read.

// readable returns raw as the parsers should read it: with CR CR LF read
// as CRLF when the first line ends so, which marks the whole message as
// one that went through such a server; otherwise raw itself, uncopied.
func readable(raw []byte) []byte {
	nl := bytes.IndexByte(raw, '\n')
	if nl < 2 || raw[nl-1] != '\r' || raw[nl-2] != '\r' {
		return raw
	}
	return bytes.ReplaceAll(raw, []byte("\r\r\n"), []byte("\r\n"))
}
