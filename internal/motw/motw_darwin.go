package motw

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// mark sets the com.apple.quarantine attribute: Gatekeeper then checks
// and asks before anything in the file runs. Its value is the flags
// (0081, what Launch Services writes for kLSQuarantineTypeOtherDownload),
// the time in hexadecimal seconds, and the agent that saved the file.
func mark(path string) error {
	value := fmt.Sprintf("0081;%08x;popvault;", time.Now().Unix())
	return unix.Setxattr(path, "com.apple.quarantine", []byte(value), 0)
}
