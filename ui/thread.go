package ui

import "fyne.io/fyne/v2"

// Everything that touches a widget runs on Fyne's goroutine: work done
// elsewhere hands its result over with onUI (fyne.Do) or onUIAndWait
// (fyne.DoAndWait), and only through these two. The tests put a goroutine
// of their own in Fyne's place: Fyne's test driver runs fyne.Do at once
// on the caller's goroutine, so it could neither catch a widget touched
// from elsewhere nor keep the race detector from seeing the tests race.
var (
	onUI        = fyne.Do
	onUIAndWait = fyne.DoAndWait
)
