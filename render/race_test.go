//go:build race

package render

// race: the race detector makes this code several times slower.
const race = true
