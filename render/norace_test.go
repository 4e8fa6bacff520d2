//go:build !race

package render

const race = false
