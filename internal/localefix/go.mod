module early.popvault.io/localefix

go 1.26.0
