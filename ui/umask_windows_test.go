package ui

// setUmask does nothing: Windows has no umask (nor the modes it masks).
func setUmask(int) func() { return func() {} }
