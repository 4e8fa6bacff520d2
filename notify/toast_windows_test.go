package notify

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// underWine: Wine keeps its settings under HKCU\Software\Wine.
func underWine() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Wine`, registry.READ)
	if err == nil {
		k.Close()
	}
	return err == nil
}

// The popvault-open: URI is registered for the user to start popvault on
// the account, and the app ID's name; the toast is shown on Windows, and
// under Wine, whose PowerShell shows nothing, Send says so.
func TestToast(t *testing.T) {
	exe := `C:\Program Files\popvault\popvault.exe`
	// Start from none (a Wine prefix keeps them from the last run); Send
	// writes them again.
	for _, k := range []string{uriKey + `\shell\open\command`, uriKey + `\shell\open`, uriKey + `\shell`, uriKey, appIDKey} {
		registry.DeleteKey(registry.CURRENT_USER, k)
	}
	err := Send(context.Background(), Notification{Title: "Gmail: backups have stopped", Body: "Sign in again.", Account: "Gmail"}, Options{Exe: exe})
	k, kerr := registry.OpenKey(registry.CURRENT_USER, uriKey+`\shell\open\command`, registry.READ)
	if kerr != nil {
		t.Fatalf("the URI's command: %v", kerr)
	}
	command, _, _ := k.GetStringValue("")
	k.Close()
	if want := `"` + exe + `" --open-account "%1"`; command != want {
		t.Errorf("the URI runs %q, want %q", command, want)
	}
	if k, kerr := registry.OpenKey(registry.CURRENT_USER, uriKey, registry.READ); kerr != nil {
		t.Error(kerr)
	} else if _, _, kerr := k.GetStringValue("URL Protocol"); kerr != nil {
		t.Errorf("not marked as a URL protocol: %v", kerr)
	}
	if k, kerr := registry.OpenKey(registry.CURRENT_USER, appIDKey, registry.READ); kerr != nil {
		t.Error(kerr)
	} else if name, _, _ := k.GetStringValue("DisplayName"); name != "popvault" {
		t.Errorf("the app ID's name: %q", name)
	}
	// Wine's PowerShell is a stub that does nothing and exits 0.
	if underWine() {
		if err == nil || !strings.Contains(err.Error(), "Windows did not show the notification") {
			t.Errorf("under Wine: %v", err)
		}
	} else if err != nil {
		t.Error(err)
	}
}
