package pop3

import "github.com/emersion/go-sasl"

func plain(user, pass string) sasl.Client { return sasl.NewPlainClient("", user, pass) }
