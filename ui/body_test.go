package ui

import (
	"context"

	"popvault/archive"
	"popvault/render"
)

// bodyDoc renders v's body as the reader does, to its end.
func bodyDoc(v *archive.View) *render.Doc {
	doc, _ := renderBody(context.Background(), v) // fails only when cancelled
	return doc
}
