module github.com/acme/feature-flags

go 1.22

require github.com/open-feature/go-sdk v1.11.0
