package notify

import "encoding/xml"

// toast is a Windows toast's content (the "adaptive toast" schema: the
// element toast, with visual and actions), the part popvault writes.
type toast struct {
	XMLName        xml.Name `xml:"toast"`
	ActivationType string   `xml:"activationType,attr"`
	Launch         string   `xml:"launch,attr"`
	Duration       string   `xml:"duration,attr"`
	Binding        struct {
		Template string   `xml:"template,attr"`
		Image    *image   `xml:"image,omitempty"`
		Text     []string `xml:"text"`
	} `xml:"visual>binding"`
	Actions []action `xml:"actions>action"`
}

type image struct {
	Placement string `xml:"placement,attr"`
	Src       string `xml:"src,attr"`
}

type action struct {
	Content        string `xml:"content,attr"`
	Arguments      string `xml:"arguments,attr"`
	ActivationType string `xml:"activationType,attr"`
}

// toastXML is the toast for n, whose click opens popvault on n's
// account of archive ("" is the default archive). activation is "protocol" (a click opens
// the popvault-open: URI, which starts popvault) or "foreground" (a click
// reaches this process's callback, with the URI as its argument). encoding/xml
// escapes what the title and body hold.
func toastXML(n Notification, archive, icon, activation string) string {
	var t toast
	t.ActivationType = activation
	t.Launch = OpenURI(n.Account, archive)
	t.Duration = "long" // a stopped backup is worth more than seven seconds
	t.Binding.Template = "ToastGeneric"
	if icon != "" {
		t.Binding.Image = &image{Placement: "appLogoOverride", Src: icon}
	}
	t.Binding.Text = []string{n.Title}
	if n.Body != "" {
		t.Binding.Text = append(t.Binding.Text, n.Body)
	}
	t.Actions = []action{{Content: "Open popvault", Arguments: t.Launch, ActivationType: activation}}
	b, _ := xml.Marshal(t) // strings only: no error
	return string(b)
}
