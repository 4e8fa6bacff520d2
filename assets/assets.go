// Package assets holds the files embedded in the binary: the app icon
// (icon.svg is its source; icon.png is made from it with ImageMagick:
// convert -background none icon.svg -resize 512x512 -depth 8 icon.png).
package assets

import _ "embed"

// IconPNG is the 512x512 app icon.
//
//go:embed icon.png
var IconPNG []byte
