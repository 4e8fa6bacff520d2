//go:build !windows && !darwin

package motw

// mark does nothing: Linux and the BSDs have no mark of the Internet that
// desktops or programs act on (browsers' user.xdg.origin.url attribute
// only records where a file came from). What protects the user there is
// that popvault opens only documents and media, and writes files 0600
// and never executable.
func mark(string) error { return nil }
