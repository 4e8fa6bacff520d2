// Package credentials keeps what popvault's accounts sign in with, on
// this machine and never in an archive (which may travel on a USB
// stick): passwords in the system keyring, or where there is none in a
// file only the user can read ([NewSecrets]); OAuth sign-ins, their
// clients and refresh tokens, with access tokens renewed in memory
// ([OAuthStore]); token commands, kept and run ([TokenCommands]); and
// the config folder they live in ([ConfigDir]). Each is kept under the
// account's name and id ("home#Q2X…"), so that two archives with an
// account of one name never share a secret.
//
// [Store] gathers them. It is what the window and the command line hand
// the sync engine, as a [fetch.SignIn]: the engine asks it for an
// account's password or access token and never learns where either is
// kept. It also holds the one rule for where an OAuth sign-in may go
// ([OAuthStore.CheckHost]: its provider's own mail servers, encrypted),
// and forgets everything an account signed in with when it is removed
// ([Store.Forget]).
//
// It imports fetch for [fetch.Account], the account's settings as the
// archive keeps them: the engine defines what it needs of a sign-in, and
// this package, above it, provides it, so the imports run one way.
package credentials
