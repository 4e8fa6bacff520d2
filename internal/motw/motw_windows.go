package motw

import (
	"io"
	"os"
)

// mark writes the Zone.Identifier stream: Explorer, SmartScreen and
// Office read it to warn before running the file, or to open a document
// in Protected View.
func mark(path string) error {
	return writeZone(path, func(name string) (io.WriteCloser, error) { return os.Create(name) })
}
